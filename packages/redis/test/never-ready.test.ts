import { Cluster } from 'ioredis';
import { createServer } from 'node:net';
import { createCluster } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../src/index';
import { prefix, session, sid } from './helpers';

/** A loopback port nothing listens on: a client there never becomes ready. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every event's listener count, to compare before the store and after its close(). */
function listeners(client: { eventNames(): (string | symbol)[]; listenerCount(event: string | symbol): number }) {
  return Object.fromEntries(client.eventNames().map((event) => [String(event), client.listenerCount(event)]));
}

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('close() on a given Cluster client that never became ready', () => {
  it('ioredis: removes every listener the store added', async () => {
    const port = await deadPort();
    const client = new Cluster([{ host: '127.0.0.1', port }], { lazyConnect: true, clusterRetryStrategy: () => 50 });
    client.on('error', () => {});
    cleanups.push(() => client.disconnect());
    const before = listeners(client);
    const store = new RedisStore({ client, prefix: prefix(), operationTimeoutMs: 300 });
    expect(listeners(client)).not.toEqual(before);
    await expect(store.set(sid(), session(60_000))).rejects.toThrow();
    await store.close();
    expect(listeners(client)).toEqual(before);
  });

  it('node-redis: removes every listener the store added', async () => {
    const port = await deadPort();
    const client = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${port}` }] });
    client.on('error', () => {});
    // Its first connection fails: the client is never ready (and not open).
    await client.connect().catch(() => {});
    cleanups.push(() => client.destroy());
    const before = listeners(client);
    const store = new RedisStore({ client, prefix: prefix(), operationTimeoutMs: 300 });
    expect(listeners(client)).not.toEqual(before);
    await expect(store.get(sid())).rejects.toThrow();
    await store.close();
    expect(listeners(client)).toEqual(before);
  });
});
