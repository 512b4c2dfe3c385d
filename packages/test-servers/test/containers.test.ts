import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BackendUnavailableError,
  containerRuntimeStatus,
  IMAGES,
  imageFor,
  startRedis,
  startRedisCluster,
  startRedisSentinel,
} from '@session-stores/test-servers';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { clearForcedProviders } from './provider-env';

beforeEach(clearForcedProviders);

afterEach(() => {
  vi.unstubAllEnvs();
});

const runtime = await containerRuntimeStatus();

describe('container provider', () => {
  it('asks for the container runtime once per process', async () => {
    const started = Date.now();
    expect(await containerRuntimeStatus()).toBe(runtime);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.runIf(!runtime.available)('when forced without a runtime, fails with the runtime reason', async () => {
    vi.stubEnv('SESSION_STORES_PROVIDER', 'container');
    const error = await startRedis().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).reasons.container).toMatch(/no container runtime/);
  });

  it.runIf(runtime.available)(
    'starts redis on a loopback port and keeps the port and data across stop()/start()',
    { timeout: 180_000 },
    async () => {
      const server = await startRedis({ provider: 'container' });
      try {
        expect(server.provider).toBe('container');
        expect(server.nodes[0]?.host).toBe('127.0.0.1');
        const { redisCommand } = await import('../src/resp');
        const node = server.nodes[0] as { host: string; port: number };
        await redisCommand(node, ['SET', 'harness-container', 'kept']);
        await server.stop();
        await server.start();
        expect(await redisCommand(node, ['GET', 'harness-container'])).toBe('kept');
      } finally {
        await server.dispose();
      }
    },
  );

  it('reports cluster and sentinel topologies as unsupported', async () => {
    vi.stubEnv('SESSION_STORES_PROVIDER', 'container');
    for (const start of [startRedisCluster, startRedisSentinel]) {
      const error = await start().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as BackendUnavailableError).reasons.container).toMatch(/not supported/);
    }
  });

  it('takes images from the option, then SESSION_STORES_<NAME>_IMAGE, then the official tag', () => {
    vi.stubEnv('SESSION_STORES_POSTGRES_IMAGE', '');
    expect(imageFor('postgres')).toBe(IMAGES.postgres);
    vi.stubEnv('SESSION_STORES_POSTGRES_IMAGE', 'session-stores-test/postgres:abc');
    expect(imageFor('postgres')).toBe('session-stores-test/postgres:abc');
    expect(imageFor('postgres', 'mine/postgres:15')).toBe('mine/postgres:15');
    expect(imageFor('redis')).toBe(process.env.SESSION_STORES_REDIS_IMAGE || IMAGES.redis);
  });

  it('SESSION_STORES_PROVIDER_<BACKEND> chooses the provider for that backend only', async () => {
    vi.stubEnv('REDIS_URL', '');
    vi.stubEnv('REDIS_CLUSTER_NODES', '');
    vi.stubEnv('SESSION_STORES_PROVIDER', 'url');
    vi.stubEnv('SESSION_STORES_PROVIDER_REDIS', 'local');
    vi.stubEnv('REDIS_SERVER_BIN', '/nonexistent/redis-server');
    const redis = await startRedis().catch((caught: unknown) => caught);
    expect((redis as BackendUnavailableError).reasons).toEqual({ local: expect.stringMatching(/REDIS_SERVER_BIN/) });
    const cluster = await startRedisCluster().catch((caught: unknown) => caught);
    expect((cluster as BackendUnavailableError).reasons).toEqual({ url: expect.stringMatching(/REDIS_CLUSTER_NODES/) });
    vi.stubEnv('SESSION_STORES_PROVIDER_REDIS', 'podman');
    await expect(startRedis()).rejects.toThrow(/SESSION_STORES_PROVIDER_REDIS must be one of url, container, local/);
  });

  // A local image whose command line is not Redis's: the container exits at once.
  const wrongImage = process.env.SESSION_STORES_MEMCACHED_IMAGE;
  it.runIf(runtime.available && wrongImage)(
    'in strict mode a container that fails to start is an error, not a fallback to local servers',
    { timeout: 180_000 },
    async () => {
      vi.stubEnv('REDIS_URL', '');
      vi.stubEnv('SESSION_STORES_STRICT', '1');
      await expect(startRedis({ image: wrongImage })).rejects.toThrow(/exited instead of answering/);
    },
  );

  it('pins the same image tags as docker-compose.test.yml', () => {
    const compose = readFileSync(fileURLToPath(new URL('../../../docker-compose.test.yml', import.meta.url)), 'utf8');
    const composeImages = [...compose.matchAll(/^\s+image:\s*(\S+)\s*$/gm)].map((match) => match[1]).sort();
    expect(composeImages).toEqual(Object.values(IMAGES).sort());
  });
});
