import { backendForTests, backendTitle } from '@session-stores/test-servers';
import type { Express } from 'express';
import type { Client } from 'memjs';
import { describe, expect, it } from 'vitest';
import { expectVisitCounter, readmeCode, swap } from '../../../scripts/test-support/readme-code';
import { DEFAULT_CLIENT_OPTIONS, MemcachedStore } from '../src/index';
import { randomSid, sessionExpiringIn } from './helpers';

/** The README's code, run as written: only the server address (and the port) is swapped. */
const { text: readme, blocks, runModule } = readmeCode(import.meta.url);
const server = await backendForTests('memcached');

describe.skipIf(!server)(`README (${backendTitle('memcached', server)})`, () => {
  it('the usage example keeps a visit counter in memcached', async () => {
    const [usage] = blocks('ts');
    let code = swap(usage!, "servers: '127.0.0.1:11211'", `servers: ${JSON.stringify(server!.url)}`);
    code = swap(code, 'app.listen(3000);', 'export { app };');
    const { app } = (await runModule('usage', code)) as { app: Express };
    await expectVisitCounter(app);
  });

  it('the own-client example works and close() leaves the client open', async () => {
    const [, own] = blocks('ts');
    const code = `import { MemcachedStore } from '@session-stores/memcached';\n${swap(own!, "'127.0.0.1:11211,127.0.0.1:11212'", JSON.stringify(server!.url))}\nexport { client, store };`;
    const { client, store } = (await runModule('own-client', code)) as { client: Client; store: MemcachedStore };
    const sid = randomSid();
    await store.set(sid, sessionExpiringIn(60_000, { own: true }));
    expect(await store.get(sid)).toMatchObject({ own: true });
    await store.close();
    expect((await client.get(`myapp:sess:${sid}`)).value).not.toBeNull();
    client.close();
  });

  it('the options table lists every option, with the client defaults it states', () => {
    const table = readme.slice(readme.indexOf('## Options'), readme.indexOf('## Expiry'));
    for (const name of [
      'servers',
      'client',
      'clientOptions',
      'prefix',
      'itemSizeMax',
      'batchSize',
      'ttl',
      'serializer',
      'encryption',
      'disableTouch',
      'touchAfter',
      'operationTimeoutMs',
    ]) {
      expect(table).toContain(`| \`${name}\` |`);
    }
    expect(DEFAULT_CLIENT_OPTIONS).toMatchObject({
      timeout: 1,
      conntimeout: 1,
      retries: 2,
      retry_delay: 0.1,
      failover: false,
      keepAlive: true,
    });
    expect(table).toContain(
      '`timeout: 1` and `conntimeout: 1` (seconds), `retries: 2` (two\nattempts), `retry_delay: 0.1`, `failover: false`, `keepAlive: true`',
    );
  });

  it("the capabilities shown are the store's", async () => {
    const store = new MemcachedStore({ servers: server!.url });
    const shown = `{ ${Object.entries(store.capabilities)
      .map(([key, value]) => `${key}: ${String(value)}`)
      .join(', ')} }`;
    expect(readme).toContain(`\`${shown}\``);
    await store.close();
  });
});
