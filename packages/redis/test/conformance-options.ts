import type { ConformanceOptions, StoreUnderTest } from '@session-stores/conformance';
import type { BackendServer } from '@session-stores/test-servers';
import type { Cluster, Redis } from 'ioredis';
import { RedisStore, type RedisStoreOptions } from '../src/index';

/** Where a topology's stores connect: one of RedisStore's own-client options, and the library of that client. */
export type Connection = Pick<RedisStoreOptions, 'url' | 'cluster' | 'sentinel' | 'driver'>;

/** Every topology's suite runs once per client library. */
export const DRIVERS = ['node-redis', 'ioredis'] as const;

/**
 * The conformance suite wired to RedisStore on one server: stores made with the namespace as
 * their prefix, inspection through `admin` (a client of the test's own, bypassing the store),
 * and faults through the harness's stop()/start() of every node.
 */
export function redisConformanceOptions(
  name: string,
  server: BackendServer,
  connection: Connection,
  admin: Redis | Cluster,
): ConformanceOptions {
  const keyOf = (store: StoreUnderTest, sid: string) => (store as unknown as RedisStore).key(sid);
  return {
    name,
    createStore: ({ namespace, userId }) =>
      new RedisStore({ ...connection, prefix: `${namespace}:`, userId }) as unknown as StoreUnderTest,
    // Prefixes are namespaces: a sid with ':' would name a nested namespace's key (clause 9).
    refusedSids: (sid) => sid.includes(':'),
    inspect: {
      rawValue: (store, sid) => admin.get(keyOf(store, sid)),
      async rawTtlMs(store, sid) {
        const ttl = await admin.pttl(keyOf(store, sid));
        if (ttl === -2) return null;
        return ttl === -1 ? Number.POSITIVE_INFINITY : ttl;
      },
      async writeCorrupt(store, sid, kind) {
        const value = kind === 'not-json' ? '{"cookie": {"expires": ' : '["an array, not a session"]';
        await admin.set(keyOf(store, sid), value, 'PX', 60_000);
      },
    },
    faults: server.canRestart ? { stopBackend: () => server.stop(), startBackend: () => server.start() } : undefined,
  };
}
