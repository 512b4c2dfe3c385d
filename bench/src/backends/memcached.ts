import { createRequire } from 'node:module';
import expressSession from 'express-session';
import type { Store } from 'express-session';
import memjs from 'memjs';
import { startHarnessServer } from '../servers';
import { expiresAt } from '../session-expiry';
import { loadOurStore, storeSubject, type BackendDefinition, type Subject, type SubjectContext } from '../subject';

const require = createRequire(import.meta.url);

/** Whole seconds until the session expires, rounded up (memcached's unit). */
function ttlSeconds(session: Parameters<typeof expiresAt>[0]): number {
  return Math.max(1, Math.ceil((expiresAt(session) - Date.now()) / 1000));
}

/**
 * Memcached: ours and raw on memjs (binary protocol), connect-memcached 3 on the `memcached`
 * client (text protocol), each with its own key prefix. connect-memcached's length() returns
 * server statistics rather than a count and it has no all(), so there is nothing to compare ours with there.
 */
export const memcachedBackend: BackendDefinition = {
  name: 'memcached',
  anchorLabel: 'connect-memcached 3.0.0 (memcached 2)',
  oursLabel: '@session-stores/memcached (memjs)',
  rawLabel: 'memjs get / set / touch / delete',

  async startServer() {
    const { startMemcached } = await import('@session-stores/test-servers');
    // 256 MB: 100,000 sessions of this size take about 75 MB, more than memcached's default 64.
    return startHarnessServer(
      'memcached',
      () => startMemcached({ memoryMb: 256 }),
      async (server) => {
        const client = memjs.Client.create(server.url, { logger: { log: () => undefined } });
        try {
          const stats = await new Promise<Record<string, string>>((resolve, reject) => {
            client.stats((error, _server, values) => (error ? reject(error) : resolve(values ?? {})));
          });
          return `memcached ${stats.version ?? '?'}, ${Math.round(Number(stats.limit_maxbytes ?? 0) / 2 ** 20)} MB`;
        } finally {
          client.close();
        }
      },
    );
  },

  async createSubject(kind, context) {
    if (kind === 'ours') return ours(context);
    if (kind === 'anchor') return anchor(context);
    return raw(context);
  },
};

const prefix = (kind: string, context: SubjectContext) => `${kind}:${context.namespace}:`;

async function ours(context: SubjectContext): Promise<Subject> {
  type Ctor = new (options: { servers: string; prefix: string }) => Store & { close(): Promise<void> };
  const MemcachedStore = await loadOurStore<Ctor>(
    '@session-stores/memcached',
    'MemcachedStore',
    () => import('@session-stores/memcached'),
  );
  const store = new MemcachedStore({
    servers: context.server.url,
    prefix: prefix('ours', context),
    ...context.storeOptions,
  });
  return storeSubject('ours', memcachedBackend.oursLabel, store, () => store.close());
}

async function anchor(context: SubjectContext): Promise<Subject> {
  const factory = require('connect-memcached') as (
    session: typeof expressSession,
  ) => new (options: Record<string, unknown>) => Store & { client: { end(): void } };
  const ConnectMemcachedStore = factory(expressSession);
  const store = new ConnectMemcachedStore({ hosts: context.server.url.split(','), prefix: prefix('anchor', context) });
  return storeSubject('anchor', memcachedBackend.anchorLabel, store, async () => store.client.end(), {
    length: false,
    enumerationNote: 'connect-memcached has no all(), and its length() returns server stats, not a count',
  });
}

async function raw(context: SubjectContext): Promise<Subject> {
  const client = memjs.Client.create(context.server.url, { logger: { log: () => undefined } });
  const key = (sid: string) => prefix('raw', context) + sid;
  return {
    kind: 'raw',
    label: memcachedBackend.rawLabel,
    get: async (sid) => {
      const { value } = await client.get(key(sid));
      return value ? (JSON.parse(value.toString('utf8')) as unknown) : null;
    },
    set: async (sid, session) => {
      await client.set(key(sid), JSON.stringify(session), { expires: ttlSeconds(session) });
    },
    touch: async (sid, session) => {
      await client.touch(key(sid), ttlSeconds(session));
    },
    destroy: async (sid) => {
      await client.delete(key(sid));
    },
    close: async () => client.close(),
  };
}
