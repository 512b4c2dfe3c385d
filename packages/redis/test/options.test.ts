import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { anchorOptionCases } from '../../../scripts/test-support/anchor-options';
import { RedisStore, type RedisStoreOptions } from '../src/index';

// No server is needed: options are checked at construction, and lazyConnect clients never dial.
const url = 'redis://127.0.0.1:1';
const lazy = { lazyConnect: true };
const made: RedisStore[] = [];
const make = (options: unknown) => {
  const store = new RedisStore(options as RedisStoreOptions);
  made.push(store);
  return store;
};
afterAll(async () => {
  await Promise.all(made.map((store) => store.close()));
});

describe('RedisStore options', () => {
  it('needs exactly one of client, url, cluster, sentinel', () => {
    expect(() => make({})).toThrow(/exactly one of "client", "url", "cluster", "sentinel"/);
    expect(() => make(undefined)).toThrow(TypeError);
    expect(() => make({ url, cluster: { nodes: [url] } })).toThrow(/got url and cluster/);
    expect(() => make('redis://127.0.0.1')).toThrow(/options must be an object/);
  });

  it('accepts ioredis and node-redis clients, and nothing else', async () => {
    const nodeRedis = createClient({ url });
    expect(make({ client: nodeRedis }).driverName).toBe('node-redis');
    const ioredis = new Redis(url, lazy);
    expect(make({ client: ioredis }).driverName).toBe('ioredis');
    ioredis.disconnect();
    expect(() => make({ client: {} })).toThrow(
      /option "client" must be an ioredis Redis or Cluster client, or a node-redis v5 createClient\(\), createCluster\(\) or createSentinel\(\) client/,
    );
    expect(() => make({ client: 'redis://x' })).toThrow(TypeError);
  });

  it('fails calls on a node-redis client that was never connected, saying so', async () => {
    const store = make({ client: createClient({ url }) });
    await expect(store.get('x')).rejects.toThrow(
      /node-redis client is not open \(call and await client.connect\(\) first\)/,
    );
  });

  it('refuses an unknown driver, and driver beside a client of your own', () => {
    expect(() => make({ url, driver: 'redis' })).toThrow(
      /option "driver" must be "node-redis" or "ioredis", got "redis"/,
    );
    expect(() => make({ client: createClient({ url }), driver: 'ioredis' })).toThrow(
      /option "driver" applies only with "url", "sentinel" or "cluster"/,
    );
  });

  it('does not take clientOptions beside a client of your own', () => {
    const client = new Redis(url, lazy);
    expect(() => make({ client, clientOptions: { commandTimeout: 5 } })).toThrow(
      /option "clientOptions" applies only with "url", "sentinel" or "cluster"/,
    );
    client.disconnect();
  });

  it.each([
    [{ url: '' }, /option "url" must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ url: 'http://127.0.0.1' }, /option "url" must be a redis:\/\/ or rediss:\/\/ URL/],
    [{ url: 6379 }, /option "url"/],
    [{ cluster: [] }, /option "cluster" must be an object/],
    [{ cluster: { nodes: [] } }, /option "cluster.nodes" must be a non-empty array/],
    [{ cluster: { nodes: [null] } }, /option "cluster.nodes"/],
    [{ cluster: { nodes: ['127.0.0.1:1'], options: 'x' } }, /option "cluster.options" must be an object/],
    [{ sentinel: { sentinels: [], name: 'mymaster' } }, /option "sentinel.sentinels" must be a non-empty array/],
    [
      { sentinel: { sentinels: [{ host: '127.0.0.1', port: 1 }] } },
      /option "sentinel.name" must be the master group name/,
    ],
    [{ url, clientOptions: 'x' }, /option "clientOptions" must be an object/],
    [{ url, prefix: 5 }, /option "prefix" must be a string/],
    [{ url, scanCount: 0 }, /option "scanCount" must be an integer from 1/],
    [{ url, scanCount: 2.5 }, /option "scanCount" must be an integer/],
    [{ url, scanCount: '100' }, /option "scanCount"/],
    [{ url, disableTTL: 'yes' }, /option "disableTTL" must be a boolean/],
    [{ url, disableTouch: 1 }, /option "disableTouch" must be a boolean/],
    [{ url, ttl: -1 }, /option "ttl" must be a number from 0/],
    [{ url, ttl: '86400' }, /option "ttl"/],
    [{ url, serializer: JSON.stringify }, /option "serializer" must be an object with stringify and parse/],
    [{ url, operationTimeoutMs: 0 }, /option "operationTimeoutMs"/],
  ])('rejects %j with a TypeError naming the option', (options, message) => {
    const withLazy =
      'url' in options && typeof options.url === 'string' && options.url.startsWith('redis')
        ? { clientOptions: lazy, ...options }
        : options;
    expect(() => make(withLazy)).toThrow(TypeError);
    expect(() => make(withLazy)).toThrow(message);
  });

  it("keeps connect-redis's defaults", () => {
    const store = make({ url, clientOptions: lazy });
    expect(store.prefix).toBe('sess:');
    expect(store.scanCount).toBe(100);
    expect(store.disableTTL).toBe(false);
    expect(store.capabilities.defaultTtlMs).toBe(86_400_000);
    expect(store.key('abc')).toBe('sess:abc');
  });

  it('accepts an empty prefix, like connect-redis', () => {
    expect(make({ url, clientOptions: lazy, prefix: '' }).key('abc')).toBe('abc');
  });

  it('refuses a prefix that is not empty and does not end with ":", naming the fix', () => {
    expect(() => make({ url, clientOptions: lazy, prefix: 'app' })).toThrow(
      /RedisStore: option "prefix" must be empty or end with ":" \(for example "app:"\)/,
    );
    expect(make({ url, clientOptions: lazy, prefix: 'app:admin:' }).key('abc')).toBe('app:admin:abc');
  });

  it('reports its capabilities, and hides touch when disableTouch is set', () => {
    const store = make({ url, clientOptions: lazy });
    expect(store.capabilities).toMatchObject({
      touch: true,
      all: true,
      ids: true,
      length: true,
      clear: true,
      iterate: true,
      ttlGranularityMs: 1,
      maxSessionBytes: null,
    });
    const noTouch = make({ url, clientOptions: lazy, disableTouch: true });
    expect(noTouch.capabilities.touch).toBe(false);
    expect(typeof noTouch.touch).toBe('undefined');
  });

  it('makes its own ioredis client with fail-fast settings, which clientOptions override', () => {
    const store = make({
      url,
      driver: 'ioredis',
      clientOptions: { ...lazy, connectTimeout: 123 },
      operationTimeoutMs: 3000,
    });
    expect(store.driverName).toBe('ioredis');
    const options = (store.client as Redis).options;
    // No second timer per command (the store's deadline bounds each call), no offline queue
    // and no resend after a reconnect (a command is never sent after its caller gave up).
    expect(options.commandTimeout).toBeUndefined();
    expect(options.maxRetriesPerRequest).toBe(0);
    expect(options.enableOfflineQueue).toBe(false);
    expect(options.connectTimeout).toBe(123);
    expect(options.retryStrategy?.(100)).toBe(1000);
  });
});

describe("connect-redis's options: each honoured, or refused naming the replacement", () => {
  const internals = (store: RedisStore) => store as unknown as { serializer: unknown; ttl: unknown };
  const serializer = { stringify: JSON.stringify, parse: JSON.parse };
  const ttl = () => 60;
  const client = createClient({ url });
  anchorOptionCases<RedisStore>(
    'connect-redis',
    ['client', 'prefix', 'scanCount', 'serializer', 'ttl', 'disableTTL', 'disableTouch'],
    (options) => make({ url, clientOptions: lazy, ...options }),
    [
      [
        'client',
        { url: undefined, clientOptions: undefined, client },
        { honoured: (store) => expect(store.client).toBe(client) },
      ],
      ['prefix', { prefix: 'app:' }, { honoured: (store) => expect(store.key('abc')).toBe('app:abc') }],
      ['scanCount', { scanCount: 7 }, { honoured: (store) => expect(store.scanCount).toBe(7) }],
      ['serializer', { serializer }, { honoured: (store) => expect(internals(store).serializer).toBe(serializer) }],
      ['ttl', { ttl: 5 }, { honoured: (store) => expect(store.capabilities.defaultTtlMs).toBe(5000) }],
      ['ttl', { ttl }, { honoured: (store) => expect(internals(store).ttl).toBe(ttl) }],
      ['disableTTL', { disableTTL: true }, { honoured: (store) => expect(store.disableTTL).toBe(true) }],
      ['disableTouch', { disableTouch: true }, { honoured: (store) => expect(store.touch).toBeUndefined() }],
    ],
  );
});
