import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BackendUnavailableError,
  startMemcached,
  startMongo,
  startPostgres,
  startRedis,
  startRedisCluster,
  startRedisSentinel,
} from '@session-stores/test-servers';
import { freePort } from '../src/free-port';
import { redisCommand } from '../src/resp';
import { clearForcedProviders } from './provider-env';

beforeEach(clearForcedProviders);

afterEach(() => {
  vi.unstubAllEnvs();
});

// Nothing here connects to the remote addresses: they are refused before any connection.
describe('url provider: refuses addresses that are not loopback', () => {
  const cases: [string, Record<string, string>, () => Promise<unknown>][] = [
    ['REDIS_URL', { REDIS_URL: 'redis://10.20.30.40:6379' }, startRedis],
    ['REDIS_URL (host name)', { REDIS_URL: 'redis://:secret@cache.example.com:6379/0' }, startRedis],
    ['REDIS_CLUSTER_NODES', { REDIS_CLUSTER_NODES: '127.0.0.1:7000,192.168.1.5:7001' }, startRedisCluster],
    ['REDIS_SENTINELS', { REDIS_SENTINELS: '[fe80::1]:26379', REDIS_SENTINEL_MASTER: 'mymaster' }, startRedisSentinel],
    ['DATABASE_URL', { DATABASE_URL: 'postgres://app@db.internal:5432/app' }, startPostgres],
    ['DATABASE_URL (?host=)', { DATABASE_URL: 'postgres://app@127.0.0.1:5432/app?host=db.internal' }, startPostgres],
    [
      'MONGO_URL (one of several hosts)',
      { MONGO_URL: 'mongodb://127.0.0.1:27017,10.0.0.8:27017/?replicaSet=rs0' },
      startMongo,
    ],
    [
      'MEMCACHED_SERVERS',
      { MEMCACHED_SERVERS: '127.0.0.1:11211,172.16.0.2:11211' },
      () => startMemcached({ servers: 2 }),
    ],
  ];

  for (const [name, env, start] of cases) {
    it(`${name}`, async () => {
      for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
      vi.stubEnv('SESSION_STORES_ALLOW_REMOTE', '');
      const attempt = start();
      await expect(attempt).rejects.toThrow(/not a loopback address/);
      await expect(attempt).rejects.toThrow(/SESSION_STORES_ALLOW_REMOTE=1/);
    });
  }

  it('never prints the password of a refused URL', async () => {
    const port = await freePort();
    vi.stubEnv('REDIS_URL', `redis://user:hunter2@127.0.0.1:${port}/0`);
    const error = await startRedis().catch((caught: unknown) => caught);
    expect(String(error)).toMatch(/nothing accepts connections/);
    expect(String(error)).not.toMatch(/hunter2/);
  });

  it('refuses mongodb+srv URLs, whose hosts come from DNS', async () => {
    vi.stubEnv('MONGO_URL', 'mongodb+srv://cluster0.example.net/db');
    await expect(startMongo()).rejects.toThrow(/mongodb\+srv/);
  });
});

describe('url provider: uses a loopback server it did not start', () => {
  it('reports provider url, never stops the server, and dispose() leaves it running', async () => {
    const own = await startRedis({ provider: 'local' });
    try {
      vi.stubEnv('REDIS_URL', own.url.replace('127.0.0.1', 'localhost'));
      const found = await startRedis();
      expect(found.provider).toBe('url');
      expect(found.canRestart).toBe(false);
      expect(found.nodes).toEqual([{ host: 'localhost', port: own.nodes[0]?.port }]);
      await expect(found.stop()).rejects.toThrow(/did not start/);
      await expect(found.start()).rejects.toThrow(/did not start/);
      await found.dispose();
      expect(await redisCommand(own.nodes[0] as { host: string; port: number }, ['PING'])).toBe('PONG');
    } finally {
      await own.dispose();
    }
  });

  it('fails clearly when nothing listens at the URL', async () => {
    const port = await freePort();
    vi.stubEnv('REDIS_URL', `redis://127.0.0.1:${port}`);
    await expect(startRedis()).rejects.toThrow(
      `REDIS_URL=redis://127.0.0.1:${port}: nothing accepts connections at 127.0.0.1:${port}`,
    );
  });

  it('is skipped, with its reason, when its variable is unset', async () => {
    vi.stubEnv('REDIS_URL', '');
    vi.stubEnv('SESSION_STORES_PROVIDER', 'url');
    const error = await startRedis().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).reasons).toEqual({ url: 'REDIS_URL is not set' });
  });

  it('memcached-pair passes over MEMCACHED_SERVERS when it lists one server', async () => {
    const own = await startMemcached({ provider: 'local' });
    try {
      vi.stubEnv('MEMCACHED_SERVERS', own.url);
      vi.stubEnv('SESSION_STORES_PROVIDER', 'url');
      const error = await startMemcached({ servers: 2 }).catch((caught: unknown) => caught);
      expect((error as BackendUnavailableError).reasons?.url).toBe('MEMCACHED_SERVERS lists 1 server(s), 2 are needed');
      const found = await startMemcached();
      expect(found).toMatchObject({ provider: 'url', url: own.url });
    } finally {
      await own.dispose();
    }
  });
});

describe('SESSION_STORES_PROVIDER', () => {
  it('rejects an unknown provider name', async () => {
    vi.stubEnv('SESSION_STORES_PROVIDER', 'docker');
    await expect(startRedis()).rejects.toThrow(
      /SESSION_STORES_PROVIDER must be one of url, container, local; got "docker"/,
    );
  });

  it('local forces local servers even when a URL is set', async () => {
    vi.stubEnv('REDIS_URL', 'redis://10.20.30.40:6379');
    vi.stubEnv('SESSION_STORES_PROVIDER', 'local');
    const server = await startRedis();
    try {
      expect(server.provider).toBe('local');
    } finally {
      await server.dispose();
    }
  });
});
