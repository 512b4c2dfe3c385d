import Memcached from 'memcached';
import memjs from 'memjs';
import { describe, expect, it } from 'vitest';
import session from 'express-session';
import { anchorOptionCases, type AnchorOptionCase } from '../../../scripts/test-support/anchor-options';
import { MemcachedStore } from '../src';
import connectMemcached from '../src/connect-memcached';

// Construction only: no command is sent, so no server is needed (and none is at this port).
const servers = '127.0.0.1:1';

describe('MemcachedStore options', () => {
  it('requires exactly one of client and servers', () => {
    expect(() => new MemcachedStore({})).toThrow(/give exactly one of "client", "servers"/);
    expect(() => new MemcachedStore(undefined as never)).toThrow(TypeError);
    const client = memjs.Client.create(servers);
    expect(() => new MemcachedStore({ client, servers })).toThrow(/got client and servers/);
  });

  it('rejects a servers value that is not host:port', () => {
    for (const bad of ['', 'host:port:extra', 'a b:1', [], [''], [1], 42]) {
      expect(() => new MemcachedStore({ servers: bad as never })).toThrow(
        /option "servers" must be "host:port,host:port"/,
      );
    }
  });

  it('accepts servers as a string or an array, with or without ports', async () => {
    const fromString = new MemcachedStore({ servers: '127.0.0.1:1, 127.0.0.1:2' });
    expect(fromString.client.servers.map((server) => `${server.host}:${server.port}`)).toEqual([
      '127.0.0.1:1',
      '127.0.0.1:2',
    ]);
    const fromArray = new MemcachedStore({ servers: ['127.0.0.1:1', 'localhost'] });
    expect(fromArray.client.servers.map((server) => server.port)).toEqual([1, 11211]);
    await Promise.all([fromString.close(), fromArray.close()]);
  });

  it('rejects a client that is not a memjs Client, naming the memcached package when given one', () => {
    expect(() => new MemcachedStore({ client: {} as never })).toThrow(/option "client" must be a memjs Client/);
    const legacy = new Memcached('127.0.0.1:1', { retries: 0 });
    try {
      expect(() => new MemcachedStore({ client: legacy as never })).toThrow(/"memcached" package client/);
    } finally {
      legacy.end();
    }
  });

  it('rejects clientOptions with a client of your own', () => {
    const client = memjs.Client.create(servers);
    expect(() => new MemcachedStore({ client, clientOptions: { timeout: 1 } })).toThrow(
      /option "clientOptions" applies only with "servers"/,
    );
    expect(() => new MemcachedStore({ servers, clientOptions: 'fast' as never })).toThrow(
      /option "clientOptions" must be an object/,
    );
  });

  it('rejects a prefix that is not key-safe', () => {
    for (const bad of ['with space', 'tab\t', 'é:', 'x'.repeat(201)]) {
      expect(() => new MemcachedStore({ servers, prefix: bad })).toThrow(
        /option "prefix" must be a string of at most 200 printable ASCII characters/,
      );
    }
    expect(() => new MemcachedStore({ servers, prefix: 5 as never })).toThrow(
      /option "prefix" must be a string, got 5/,
    );
  });

  it('refuses a prefix that is not a namespace: empty or ending with ":" (nested prefixes stay apart)', () => {
    for (const bad of ['sess', 'app:sess', 'sess-']) {
      expect(() => new MemcachedStore({ servers, prefix: bad })).toThrow(
        /option "prefix" must be empty or end with ":"/,
      );
    }
    expect(new MemcachedStore({ servers, prefix: '' }).prefix).toBe('');
    expect(new MemcachedStore({ servers, prefix: 'app:sess:' }).prefix).toBe('app:sess:');
  });

  it('validates itemSizeMax, batchSize and the shared options', () => {
    expect(() => new MemcachedStore({ servers, itemSizeMax: 10 })).toThrow(
      /option "itemSizeMax" must be an integer from 1024/,
    );
    expect(() => new MemcachedStore({ servers, batchSize: 0 })).toThrow(/option "batchSize" must be an integer from 1/);
    expect(() => new MemcachedStore({ servers, ttl: -1 })).toThrow(/option "ttl"/);
    expect(() => new MemcachedStore({ servers, operationTimeoutMs: 0 })).toThrow(/option "operationTimeoutMs"/);
  });

  it('refuses the userId option, saying why and which stores keep sessions by user (README, "Sessions by user")', () => {
    expect(() => new MemcachedStore({ servers, userId: () => 'ada' })).toThrow(
      /MemcachedStore: option "userId" is not supported: memcached has no secondary index.*PostgresStore, SqliteStore, MongoStore/,
    );
  });

  it('declares its capabilities: whole seconds, the item size limit, not persistent', async () => {
    const store = new MemcachedStore({ servers });
    expect(store.capabilities).toEqual({
      touch: true,
      all: true,
      ids: true,
      length: true,
      clear: true,
      iterate: true,
      ttlGranularityMs: 1000,
      maxSessionBytes: 1_048_576 - 512,
      persistent: false,
      sessionsByUser: false,
      defaultTtlMs: 86_400_000,
    });
    expect(store.prefix).toBe('sess:');
    const bigger = new MemcachedStore({ servers, itemSizeMax: 2 * 1_048_576, ttl: 60, disableTouch: true });
    expect(bigger.capabilities).toMatchObject({
      maxSessionBytes: 2 * 1_048_576 - 512,
      defaultTtlMs: 60_000,
      touch: false,
    });
    expect(typeof (bigger as { touch?: unknown }).touch).toBe('undefined');
    await Promise.all([store.close(), bigger.close()]);
  });

  it('makes its own client with fail-fast memjs settings, overridable with clientOptions', async () => {
    const store = new MemcachedStore({ servers, clientOptions: { retries: 1 } });
    const options = store.client.options as Record<string, unknown>;
    expect(options).toMatchObject({ retries: 1, failover: false, retry_delay: 0.1 });
    expect(store.client.servers[0]!.options).toMatchObject({ timeout: 1, conntimeout: 1 });
    await store.close();
  });
});

describe("connect-memcached's options (its own, the memcached package's and kruptein's): each honoured, or refused naming the replacement", () => {
  const ConnectMemcachedStore = connectMemcached(session);
  type Internals = {
    ttl: unknown;
    connectMemcachedSecret: { algorithm: string; hashing: string } | null;
    encrypts: boolean;
  };
  const internals = (store: MemcachedStore) => store as unknown as Internals;
  const secret = 'Xj8$kLp2@Qa9#Zt5!';
  const client = memjs.Client.create(servers);
  const refusedNaming = (replacement: RegExp) => ({
    refused: new RegExp(`is not supported; .*${replacement.source}`),
  });
  const HANDED_ON: Array<[string, RegExp]> = [
    ['timeout', /clientOptions\.timeout/],
    ['retries', /clientOptions\.retries/],
    ['retry', /clientOptions\.retry_delay/],
    ['reconnect', /clientOptions\.retry_delay/],
    ['idle', /clientOptions\.keepAlive/],
    ['poolSize', /one connection per server/],
    ['failures', /clientOptions\.retries/],
    ['failuresTimeout', /clientOptions\.retries/],
    ['remove', /never moves to another server/],
    ['failOverServers', /never moves to another server/],
    ['redundancy', /one server/],
    ['compatibility', /keyDistribution/],
    ['keyCompression', /refused/],
    ['maxKeySize', /250-byte key limit/],
    ['maxValue', /itemSizeMax/],
    ['maxExpiration', /absolute times/],
    ['activeQueries', /queues nothing/],
    ['maxQueueSize', /queues nothing/],
    ['factor', /clientOptions\.retries/],
    ['minTimeout', /clientOptions\.retries/],
    ['maxTimeout', /clientOptions\.retries/],
    ['randomize', /clientOptions\.retries/],
    ['debug', /"warning"/],
    ['encodeas', /use encryption/],
    ['use_asn1', /use encryption/],
    ['use_scrypt', /use encryption/],
    ['use_argon2', /use encryption/],
    ['_key_size', /use encryption/],
    ['_iv_size', /use encryption/],
    ['_at_size', /use encryption/],
  ];
  anchorOptionCases<MemcachedStore>(
    'connect-memcached',
    [
      'client',
      'hosts',
      'prefix',
      'ttl',
      'secret',
      'algorithm',
      'hashing',
      'namespace',
      ...HANDED_ON.map(([name]) => name),
    ],
    (options) => new ConnectMemcachedStore({ ...(options.client ? {} : { hosts: servers }), ...options } as never),
    [
      ['client', { client }, { honoured: (store) => expect(store.client).toBe(client) }],
      [
        'hosts',
        { hosts: ['127.0.0.1:1', '127.0.0.1:2'] },
        { honoured: (store) => expect(store.client.servers.map((server) => server.port)).toEqual([1, 2]) },
      ],
      ['prefix', { prefix: 'app:' }, { honoured: (store) => expect(store.prefix).toBe('app:') }],
      ['ttl', { ttl: 5 }, { honoured: (store) => expect((internals(store).ttl as () => number)()).toBe(5) }],
      [
        'secret',
        { secret },
        {
          honoured: (store) =>
            expect(internals(store)).toMatchObject({ encrypts: true, connectMemcachedSecret: expect.anything() }),
        },
      ],
      [
        'algorithm',
        { secret, algorithm: 'aes-128-gcm' },
        { honoured: (store) => expect(internals(store).connectMemcachedSecret?.algorithm).toBe('aes-128-gcm') },
      ],
      ['algorithm', { algorithm: 'md5' }, { refused: /"algorithm" applies only with "secret".*keyDistribution/ }],
      [
        'hashing',
        { secret, hashing: 'sha256' },
        { honoured: (store) => expect(internals(store).connectMemcachedSecret?.hashing).toBe('sha256') },
      ],
      [
        'namespace',
        { namespace: 'ns:', prefix: 'app:' },
        { honoured: (store) => expect(store.prefix).toBe('ns:app:') },
      ],
      ...HANDED_ON.map(([name, replacement]): AnchorOptionCase<MemcachedStore> => [
        name,
        { [name]: 1 },
        refusedNaming(replacement),
      ]),
    ],
  );
});
