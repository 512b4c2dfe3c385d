import { backendForTests, backendTitle } from '@session-stores/test-servers';
import { afterEach, describe, expect, it } from 'vitest';
import { MemcachedStore, sessionKey } from '../src';
import { randomPrefix, randomSid, rawGet, sessionExpiringIn } from './helpers';

const server = await backendForTests('memcached');
const endpoint = server?.nodes[0] ?? { host: '127.0.0.1', port: 0 };
const stores: MemcachedStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

describe.skipIf(!server)(`MemcachedStore inspect(sid), on ${backendTitle('memcached', server)}`, () => {
  it('shows the item as memcached holds it: value, flags and CAS; the expiry it cannot read', async () => {
    const prefix = randomPrefix();
    const store = new MemcachedStore({ servers: server!.url, prefix });
    stores.push(store);
    const sid = randomSid();
    await store.set(sid, sessionExpiringIn(60_000, { views: 5 }));
    const key = sessionKey(prefix, sid);
    const raw = await rawGet(endpoint, key);
    const shown = await store.inspect(sid);
    expect(shown).toMatchObject({
      backend: 'Memcached',
      location: `key ${JSON.stringify(key)}`,
      stored: { value: raw!.value, flags: raw!.flags, cas: expect.stringMatching(/^[0-9a-f]{16}$/) },
      expiresAt: null,
      expiry: expect.stringContaining('not readable'),
    });
    expect(JSON.parse((shown!.stored as { value: string }).value)).toMatchObject({ views: 5 });
    expect(await store.inspect(randomSid())).toBeNull();
    // A sid too long to be a key was never stored.
    expect(await store.inspect('x'.repeat(400))).toBeNull();
  });
});
