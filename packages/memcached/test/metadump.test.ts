import { backendForTests, backendTitle } from '@session-stores/test-servers';
import { describe, expect, it } from 'vitest';
import { MemcachedStore } from '../src';
import { describeEndpoint, type DumpInfo, metadump, type MetadumpOptions } from '../src/metadump';
import { randomPrefix, randomSid, sessionExpiringIn } from './helpers';
import { rawSet } from './helpers';

const server = await backendForTests('memcached');
const endpoint = server?.nodes[0] ?? { host: '127.0.0.1', port: 0 };

function options(lruOnly: string[] = []): MetadumpOptions {
  return { idleTimeoutMs: 2000, busyTimeoutMs: 2000, lruOnly: new Set(lruOnly) };
}

async function collect(dump: AsyncIterable<Array<{ key: string; exp: number }>>): Promise<Map<string, number>> {
  const keys = new Map<string, number>();
  for await (const piece of dump) for (const { key, exp } of piece) keys.set(key, exp);
  return keys;
}

describe.skipIf(!server)(`metadump(server) on ${backendTitle('memcached', server)}`, () => {
  it('walks the hash table where the server knows it, listing URL-decoded keys with their expiry', async () => {
    const prefix = randomPrefix();
    await rawSet(endpoint, `${prefix}a%20b`, 'x', 0, 100);
    await rawSet(endpoint, `${prefix}forever`, 'x', 0, 0);
    const info: DumpInfo = { consistent: false };
    const keys = await collect(metadump(endpoint, options(), info));
    expect(info.consistent).toBe(true);
    const exp = keys.get(`${prefix}a%20b`);
    expect(Math.abs(exp! - (Date.now() / 1000 + 100))).toBeLessThan(3);
    expect(keys.get(`${prefix}forever`)).toBe(-1);
  });

  it('uses the LRU walk for servers known to lack the hash walk, and says it is not consistent', async () => {
    const prefix = randomPrefix();
    await rawSet(endpoint, `${prefix}k`, 'x', 0, 100);
    const info: DumpInfo = { consistent: true };
    const keys = await collect(metadump(endpoint, options([describeEndpoint(endpoint)]), info));
    expect(info.consistent).toBe(false);
    expect(keys.has(`${prefix}k`)).toBe(true);
  });

  it('fails with a clear error when the server is unreachable', async () => {
    // Port 1 on loopback: nothing listens there.
    await expect(collect(metadump({ host: '127.0.0.1', port: 1 }, options(), { consistent: true }))).rejects.toThrow(
      /ECONNREFUSED/,
    );
  });

  it('waits for a crawl another client is running instead of failing (BUSY)', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => collect(metadump(endpoint, options(), { consistent: true }))));
    expect(new Set(runs.map((keys) => keys.size)).size).toBe(1);
  });

  it('a store on an LRU-walk server lists and clears every session across repeated dumps', async () => {
    const store = new MemcachedStore({ servers: server!.url, prefix: randomPrefix(), batchSize: 4 });
    (store as unknown as { dumpOptions: MetadumpOptions }).dumpOptions.lruOnly.add(describeEndpoint(endpoint));
    try {
      const sids = Array.from({ length: 20 }, () => randomSid());
      await Promise.all(sids.map((sid) => store.set(sid, sessionExpiringIn(60_000))));
      for (const sid of sids) await store.get(sid);
      const ids = await store.ids();
      expect(ids.sort()).toEqual([...sids].sort());
      expect(new Set(ids).size).toBe(ids.length);
      await store.clear();
      for (const sid of sids) expect(await store.get(sid)).toBeNull();
    } finally {
      await store.close();
    }
  });
});
