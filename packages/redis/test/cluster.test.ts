import { backendForTests, backendTitle } from '@session-stores/test-servers';
import { Cluster } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index';
import { prefix, session, sid } from './helpers';
import { readmeBlock, runModule, swap } from './readme';

const server = await backendForTests('redis-cluster');
const nodes = server ? [...server.nodes] : [];
const stores: RedisStore[] = [];
const clients: Cluster[] = [];
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  for (const client of clients) client.disconnect();
});

function clusterClient(): Cluster {
  const client = new Cluster(nodes);
  clients.push(client);
  return client;
}

function ownStore(): RedisStore {
  const store = new RedisStore({ cluster: { nodes }, prefix: prefix() });
  stores.push(store);
  return store;
}

/** How many of `keys` each master holds, by asking the masters themselves. */
async function keysPerMaster(client: Cluster, keys: string[]): Promise<number[]> {
  await client.ping();
  return Promise.all(
    client
      .nodes('master')
      .map(
        async (node) =>
          (await Promise.all(keys.map((key) => node.call('EXISTS', key).catch(() => 0)))).filter((n) => n === 1).length,
      ),
  );
}

describe.skipIf(!server)(backendTitle('redis-cluster', server), () => {
  it('a store that makes its own Cluster client serves calls made before it has connected', async () => {
    const store = ownStore();
    expect((store.client as Cluster).status).not.toBe('ready');
    const id = sid();
    await store.set(id, session(60_000, { early: true }));
    expect(await store.get(id)).toMatchObject({ early: true });
  });

  it('all, ids, length, iterate and clear cover sessions on every master, without CROSSSLOT', async () => {
    const store = ownStore();
    const admin = clusterClient();
    const ids = Array.from({ length: 60 }, () => sid());
    await Promise.all(ids.map((id, n) => store.set(id, session(60_000, { n }))));
    const spread = await keysPerMaster(
      admin,
      ids.map((id) => store.key(id)),
    );
    expect(spread).toHaveLength(3);
    for (const count of spread) expect(count).toBeGreaterThan(0);
    expect([...(await store.ids())].sort()).toEqual([...ids].sort());
    expect(await store.length()).toBe(60);
    expect((await store.all()).map((s) => s.id).sort()).toEqual([...ids].sort());
    let walked = 0;
    for await (const entry of store.iterate()) walked += entry.session && ids.includes(entry.sid) ? 1 : 0;
    expect(walked).toBe(60);
    await store.clear();
    expect(await store.length()).toBe(0);
    expect(
      await keysPerMaster(
        admin,
        ids.map((id) => store.key(id)),
      ),
    ).toEqual([0, 0, 0]);
  });

  it('works on a Cluster client of your own, touch included', async () => {
    const client = clusterClient();
    const store = new RedisStore({ client, prefix: prefix(), scanCount: 5 });
    stores.push(store);
    const ids = Array.from({ length: 12 }, () => sid());
    for (const id of ids) await store.set(id, session(60_000, { n: 1 }));
    const touched = session(120_000, { n: 0 });
    await store.touch(ids[0]!, touched);
    expect(await store.get(ids[0]!)).toMatchObject({ n: 1, cookie: { expires: touched.cookie.expires } });
    expect((await store.all()).map((s) => s.id).sort()).toEqual([...ids].sort());
    await store.clear();
    expect(await store.ids()).toEqual([]);
  });

  it("the README's Cluster example connects from seed nodes", async () => {
    const seeds = "[{ host: '127.0.0.1', port: 7000 }, { host: '127.0.0.1', port: 7001 }]";
    let code = swap(readmeBlock('const clustered = new RedisStore('), seeds, JSON.stringify(nodes.slice(0, 2)));
    code = `import { RedisStore } from '@session-stores/redis';\n${code}\nexport { clustered };`;
    const { clustered } = (await runModule('cluster', code)) as { clustered: RedisStore };
    stores.push(clustered);
    const id = sid();
    await clustered.set(id, session(60_000, { n: 1 }));
    expect(await clustered.get(id)).toMatchObject({ n: 1 });
    expect(await clustered.ids()).toContain(id);
  });
});
