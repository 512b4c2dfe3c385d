import { backendTitle } from '@session-stores/test-servers';
import { describe } from 'vitest';
import { sealedExpiryCases } from '../../../scripts/test-support/sealed-expiry';
import type { MemcachedStoreOptions } from '../src/index';
import { rawGet, rawSet, testServer } from './helpers';

/**
 * Encrypted sessions in memcached. Memcached does not tell its items' expiry, so the store goes
 * by the expiry sealed with the data: a writer who moves an item's exptime (or writes an old
 * ciphertext back with a long one) does not extend the session.
 */
const { server, endpoint, makeStore } = await testServer();

describe.skipIf(!server)(`MemcachedStore encryption on ${backendTitle('memcached', server)}`, () => {
  sealedExpiryCases({
    make: (encryption) => makeStore({ encryption } as Partial<MemcachedStoreOptions>),
    readPayload: async (store, sid) => (await rawGet(endpoint, `${store.prefix}${sid}`))!.value,
    async replacePayload(store, sid, payload) {
      // A year's exptime: memcached keeps it, and only the sealed expiry can end the session.
      await rawSet(endpoint, `${store.prefix}${sid}`, payload, 0, Math.floor(Date.now() / 1000) + 365 * 86_400);
    },
  });
});
