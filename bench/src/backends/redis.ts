import { RedisStore as ConnectRedisStore } from 'connect-redis';
import type { Store } from 'express-session';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { parseLive, rawEnumeration } from '../raw-enumeration';
import { startHarnessServer } from '../servers';
import { ttlMs } from '../session-expiry';
import { loadOurStore, storeSubject, type BackendDefinition, type Subject, type SubjectContext } from '../subject';

/**
 * Redis, twice, so that both client libraries are side by side in one report: `redis` is ours
 * on node-redis and raw node-redis, `redis-ioredis` ours on ioredis and raw ioredis. The anchor
 * is connect-redis 10 on node-redis (the only client it accepts) in both. Each subject has its
 * own key prefix; raw sends one command per operation.
 */
type Driver = 'node-redis' | 'ioredis';

function redisDefinition(name: 'redis' | 'redis-ioredis', driver: Driver): BackendDefinition {
  const definition: BackendDefinition = {
    name,
    anchorLabel: 'connect-redis 10.0.0 (node-redis 5)',
    oursLabel: `@session-stores/redis (${driver})`,
    rawLabel:
      driver === 'node-redis' ? 'node-redis GET / SET PX / PEXPIRE / DEL' : 'ioredis GET / SET PX / PEXPIRE / DEL',

    async startServer() {
      const { startRedis } = await import('@session-stores/test-servers');
      return startHarnessServer(
        name,
        () => startRedis(),
        async (server) => {
          const client = new Redis(server.url, { lazyConnect: true });
          try {
            await client.connect();
            const info = await client.info('server');
            return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'}`;
          } finally {
            client.disconnect();
          }
        },
      );
    },

    async createSubject(kind, context) {
      if (kind === 'ours') return ours(definition, driver, context);
      if (kind === 'anchor') return anchor(definition, context);
      return driver === 'node-redis' ? rawNodeRedis(definition, context) : rawIoredis(definition, context);
    },
  };
  return definition;
}

export const redisBackend = redisDefinition('redis', 'node-redis');
export const redisIoredisBackend = redisDefinition('redis-ioredis', 'ioredis');

const prefix = (kind: string, context: SubjectContext) => `${kind}:${context.namespace}:`;

async function ours(definition: BackendDefinition, driver: Driver, context: SubjectContext): Promise<Subject> {
  type Ctor = new (options: { url: string; prefix: string; driver: Driver }) => Store & { close(): Promise<void> };
  const RedisStore = await loadOurStore<Ctor>(
    '@session-stores/redis',
    'RedisStore',
    () => import('@session-stores/redis'),
  );
  const store = new RedisStore({
    url: context.server.url,
    prefix: prefix('ours', context),
    driver,
    ...context.storeOptions,
  });
  return storeSubject('ours', definition.oursLabel, store, () => store.close());
}

async function anchor(definition: BackendDefinition, context: SubjectContext): Promise<Subject> {
  const client = createClient({ url: context.server.url });
  client.on('error', () => undefined);
  await client.connect();
  const store = new ConnectRedisStore({ client, prefix: prefix('anchor', context) });
  return storeSubject('anchor', definition.anchorLabel, store, async () => {
    await client.quit();
  });
}

/**
 * The `COUNT` of the raw listing's SCANs: large, so that the limit pays for few round trips
 * (ours takes its `scanCount` option, default 100).
 */
const RAW_SCAN_COUNT = 1000;

/** Sessions written per batch when seeding the raw subject: sent at once, pipelined by either library. */
const SEED_BATCH = 10_000;

/** The commands a raw subject sends, one per operation, on either library. */
interface RawCommands {
  get(key: string): Promise<string | null>;
  setPx(key: string, value: string, ms: number): Promise<unknown>;
  pexpire(key: string, ms: number): Promise<unknown>;
  del(key: string): Promise<unknown>;
  /** SCAN pages (`MATCH pattern COUNT RAW_SCAN_COUNT`) of key names. */
  scanPages(pattern: string): AsyncIterable<string[]>;
  mget(keys: string[]): Promise<(string | null)[]>;
  quit(): Promise<unknown>;
}

function rawSubject(definition: BackendDefinition, context: SubjectContext, commands: RawCommands): Subject {
  const key = (sid: string) => prefix('raw', context) + sid;
  const pattern = `${prefix('raw', context)}*`;
  return {
    kind: 'raw',
    label: definition.rawLabel,
    // SCAN skips keys Redis finds expired, and MGET answers null for a key that expired or was
    // deleted since: what is left is live. length() counts what SCAN returns.
    ...rawEnumeration({
      async *pages() {
        for await (const keys of commands.scanPages(pattern)) {
          if (keys.length > 0) yield parseLive(await commands.mget(keys));
        }
      },
      async count() {
        let count = 0;
        for await (const keys of commands.scanPages(pattern)) count += keys.length;
        return count;
      },
    }),
    seed: async (sids, session) => {
      const value = JSON.stringify(session);
      for (let start = 0; start < sids.length; start += SEED_BATCH) {
        await Promise.all(
          sids.slice(start, start + SEED_BATCH).map((sid) => commands.setPx(key(sid), value, ttlMs(session))),
        );
      }
    },
    get: async (sid) => {
      const value = await commands.get(key(sid));
      return value === null ? null : (JSON.parse(value) as unknown);
    },
    set: async (sid, session) => {
      await commands.setPx(key(sid), JSON.stringify(session), ttlMs(session));
    },
    touch: async (sid, session) => {
      await commands.pexpire(key(sid), ttlMs(session));
    },
    destroy: async (sid) => {
      await commands.del(key(sid));
    },
    close: async () => {
      await commands.quit();
    },
  };
}

async function rawNodeRedis(definition: BackendDefinition, context: SubjectContext): Promise<Subject> {
  const client = createClient({ url: context.server.url });
  client.on('error', () => undefined);
  await client.connect();
  return rawSubject(definition, context, {
    get: (key) => client.get(key),
    setPx: (key, value, ms) => client.set(key, value, { expiration: { type: 'PX', value: ms } }),
    pexpire: (key, ms) => client.pExpire(key, ms),
    del: (key) => client.del(key),
    scanPages: (pattern) => client.scanIterator({ MATCH: pattern, COUNT: RAW_SCAN_COUNT }),
    mget: (keys) => client.mGet(keys),
    quit: () => client.quit(),
  });
}

async function rawIoredis(definition: BackendDefinition, context: SubjectContext): Promise<Subject> {
  const client = new Redis(context.server.url);
  return rawSubject(definition, context, {
    get: (key) => client.get(key),
    setPx: (key, value, ms) => client.set(key, value, 'PX', ms),
    pexpire: (key, ms) => client.pexpire(key, ms),
    del: (key) => client.del(key),
    scanPages: (pattern) => client.scanStream({ match: pattern, count: RAW_SCAN_COUNT }) as AsyncIterable<string[]>,
    mget: (keys) => client.mget(keys),
    quit: () => client.quit(),
  });
}
