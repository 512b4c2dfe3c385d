import type { ConformanceOptions } from '@session-stores/conformance';
import type { BackendServer } from '@session-stores/test-servers';
import { MemcachedStore, sessionKey } from '../src/index';
import { rawGet, rawSet, remainingSeconds, type Endpoint } from './helpers';

/** The server (of the store's pool) that holds `sid`, as memjs picks it, and its key. */
function locate(store: MemcachedStore, sid: string): { endpoint: Endpoint; key: string } {
  const key = sessionKey(store.prefix, sid);
  const server = store.client.server(key);
  if (!server) throw new Error(`no memcached server for key ${key}`);
  return { endpoint: { host: server.host, port: server.port }, key };
}

/**
 * The conformance suite wired to MemcachedStore on a harness server (one memcached or a pool):
 * stores made with the namespace as their prefix, inspection through text-protocol commands
 * sent straight to the server that holds each key (bypassing the store), and faults through the
 * harness's stop()/start() of every node.
 */
export function memcachedConformanceOptions(name: string, server: BackendServer): ConformanceOptions<MemcachedStore> {
  return {
    name,
    createStore: ({ namespace }) => new MemcachedStore({ servers: server.url, prefix: `${namespace}:` }),
    // Prefixes are namespaces: a sid holding ":" would be a key of a nested one.
    refusedSids: (sid) => sid.includes(':'),
    inspect: {
      async rawValue(store, sid) {
        const { endpoint, key } = locate(store, sid);
        return (await rawGet(endpoint, key))?.value ?? null;
      },
      async rawTtlMs(store, sid) {
        const { endpoint, key } = locate(store, sid);
        const seconds = await remainingSeconds(endpoint, key);
        if (seconds === null) return null;
        return seconds === -1 ? Number.POSITIVE_INFINITY : seconds * 1000;
      },
      async writeCorrupt(store, sid, kind) {
        const { endpoint, key } = locate(store, sid);
        await rawSet(
          endpoint,
          key,
          kind === 'not-json' ? '{"cookie": {"expires": ' : '["an array, not a session"]',
          2,
          60,
        );
      },
    },
    faults: server.canRestart ? { stopBackend: () => server.stop(), startBackend: () => server.start() } : undefined,
  };
}
