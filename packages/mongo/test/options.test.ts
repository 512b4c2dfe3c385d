import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, it } from 'vitest';
import { anchorOptionCases } from '../../../scripts/test-support/anchor-options';
import { watchProcessFaults } from '../../../scripts/test-support/process-faults';
import { session } from '../../../scripts/test-support/sessions';
import { MongoStore, type MongoStoreOptions } from '../src/index';
import type { ResolvedMongoOptions } from '../src/options';

// Nothing here reaches a server: options are checked before any connection is made, and the
// only client (made for the valid cases) points at a port nobody is asked about until used.
const URL = 'mongodb://127.0.0.1:1/options';
const made: MongoStore[] = [];
afterAll(async () => {
  await Promise.all(made.map((store) => store.close()));
});

/** A connect-mongo cryptoAdapter: only its shape matters here. */
const adapter = { encrypt: async (): Promise<string> => '', decrypt: async (): Promise<string> => '' };

function make(options: unknown): MongoStore {
  const store = new MongoStore(options as MongoStoreOptions);
  made.push(store);
  return store;
}

describe('MongoStore options', () => {
  it('needs exactly one of client, clientPromise and mongoUrl', () => {
    expect(() => make(undefined)).toThrow(
      new TypeError('MongoStore: give exactly one of "client", "clientPromise", "mongoUrl"'),
    );
    expect(() => make({})).toThrow(TypeError);
    const client = new MongoClient(URL);
    expect(() => make({ client, mongoUrl: URL })).toThrow('got client and mongoUrl');
  });

  it.each([
    ['mongoUrl', { mongoUrl: 'http://127.0.0.1' }, /"mongoUrl" must be a connection string/],
    ['mongoUrl', { mongoUrl: 42 }, /"mongoUrl" must be a string/],
    ['client', { client: {} }, /"client" must be a MongoClient/],
    ['clientPromise', { clientPromise: {} }, /"clientPromise" must be a Promise of a MongoClient/],
    ['mongoOptions', { client: new MongoClient(URL), mongoOptions: {} }, /"mongoOptions" applies only with "mongoUrl"/],
    ['mongoOptions', { mongoUrl: URL, mongoOptions: 'x' }, /"mongoOptions": options must be an object/],
    ['dbName', { mongoUrl: URL, dbName: 'a.b' }, /"dbName" must be a database name/],
    ['dbName', { mongoUrl: URL, dbName: '' }, /"dbName" must be a database name/],
    ['collectionName', { mongoUrl: URL, collectionName: 'a$b' }, /"collectionName" must be a collection name/],
    ['collectionName', { mongoUrl: URL, collectionName: 'system.users' }, /"collectionName" must be a collection name/],
    [
      'autoRemove',
      { mongoUrl: URL, autoRemove: 'ttl' },
      /"autoRemove" must be one of "native", "interval", "disabled", got "ttl"/,
    ],
    ['autoRemoveInterval', { mongoUrl: URL, autoRemoveInterval: 0 }, /"autoRemoveInterval" must be a number/],
    [
      'autoRemoveInterval',
      { mongoUrl: URL, autoRemoveInterval: 40_000 },
      /"autoRemoveInterval" must be a number from .* to 35791/,
    ],
    ['stringify', { mongoUrl: URL, stringify: 'no' }, /"stringify" must be a boolean/],
    ['serializer', { mongoUrl: URL, stringify: false, serializer: JSON }, /"serializer" needs stringify: true/],
    ['pruneBatchSize', { mongoUrl: URL, pruneBatchSize: 1.5 }, /"pruneBatchSize" must be an integer/],
    ['pageSize', { mongoUrl: URL, pageSize: 0 }, /"pageSize" must be an integer/],
    ['ttl', { mongoUrl: URL, ttl: -1 }, /"ttl" must be a number/],
    ['touchAfter', { mongoUrl: URL, touchAfter: 'x' }, /"touchAfter" must be a number/],
    [
      'mongoUrl',
      { mongoUrl: 'mongodb://127.0.0.1/?tls=maybe' },
      /"mongoUrl" or "mongoOptions" is not accepted by the driver/,
    ],
  ] as const)('rejects a bad %s with a TypeError naming it', (_name, options, message) => {
    expect(() => make(options)).toThrow(TypeError);
    expect(() => make(options)).toThrow(message);
  });

  it.each([
    ['transformId', /"transformId" of connect-mongo is not supported: sids are stored as they are in _id/],
    ['serialize', /"serialize" of connect-mongo is not supported: use "serializer"/],
    ['unserialize', /"unserialize" of connect-mongo is not supported: use "serializer"/],
    ['createAutoRemoveIdx', /"createAutoRemoveIdx" of connect-mongo is not supported: use "autoRemove"/],
  ])('refuses connect-mongo\'s "%s", naming what to use instead', (name, message) => {
    expect(() => make({ mongoUrl: URL, [name]: () => 'x' })).toThrow(message);
  });

  it.each([
    ['crypto', { crypto: 'squirrel' }, /"crypto" must be an object/],
    ['crypto.secret', { crypto: { secret: '' } }, /"crypto.secret" must be a non-empty string/],
    [
      'crypto.algorithm',
      { crypto: { secret: 'x'.repeat(16), algorithm: 'des-ede' } },
      /"crypto.algorithm" must be an AES cipher/,
    ],
    ['crypto.encodeas', { crypto: { secret: 'x'.repeat(16), encodeas: 'utf8' } }, /"crypto.encodeas" must be one of/],
    ['crypto.key_size', { crypto: { secret: 'x'.repeat(16), key_size: 'big' } }, /"crypto.key_size" must be a number/],
    [
      'crypto (short secret, no encryption)',
      { crypto: { secret: 'squirrel' } },
      /its secret is too weak to encrypt .*keep "crypto" to read .* give "encryption": \{ secret: \{ key: crypto\.randomBytes\(32\)/,
    ],
    [
      'crypto with cryptoAdapter',
      { crypto: { secret: 'x'.repeat(16) }, cryptoAdapter: adapter },
      /either "crypto" or "cryptoAdapter"/,
    ],
    ['cryptoAdapter', { cryptoAdapter: { encrypt: 1 } }, /"cryptoAdapter" must be an object with a decrypt function/],
    [
      'cryptoAdapter without encryption',
      { cryptoAdapter: adapter },
      /"cryptoAdapter" only reads sessions connect-mongo encrypted; give "encryption"/,
    ],
    ['timestamps', { timestamps: 'yes' }, /"timestamps" must be a boolean/],
    ['writeOperationOptions', { writeOperationOptions: 1 }, /"writeOperationOptions" must be an object/],
  ] as const)("checks connect-mongo's %s", (_name, options, message) => {
    expect(() => make({ mongoUrl: URL, ...options })).toThrow(TypeError);
    expect(() => make({ mongoUrl: URL, ...options })).toThrow(message);
  });

  it("takes connect-mongo's crypto (secret: false is off), cryptoAdapter with encryption, timestamps and writeOperationOptions", () => {
    expect(() => make({ mongoUrl: URL, crypto: { secret: false } })).not.toThrow();
    expect(() =>
      make({
        mongoUrl: URL,
        crypto: { secret: 'squirrel', algorithm: 'aes-256-gcm', hashing: 'sha512', encodeas: 'base64', key_size: 32 },
        encryption: { secret: 'a much longer secret for writes' },
        timestamps: true,
        writeOperationOptions: { w: 1 },
      }),
    ).not.toThrow();
    expect(() =>
      make({
        mongoUrl: URL,
        cryptoAdapter: adapter,
        encryption: { secret: 'a much longer secret for writes' },
      }),
    ).not.toThrow();
  });

  it("takes connect-mongo's options with their defaults and meanings", () => {
    const store = make({ mongoUrl: URL, autoRemove: 'disabled' });
    expect(store.capabilities.defaultTtlMs).toBe(14 * 24 * 3600 * 1000);
    expect(store.capabilities.ttlGranularityMs).toBe(1);
    expect(store.autoRemove).toBe('disabled');
    const configured = make({
      mongoUrl: URL,
      dbName: 'app',
      collectionName: 'web.sessions',
      ttl: 60,
      autoRemove: 'interval',
      autoRemoveInterval: 0.5,
      touchAfter: 10,
      stringify: false,
      mongoOptions: { maxPoolSize: 3 },
    });
    expect(configured.capabilities.defaultTtlMs).toBe(60_000);
    expect(configured.autoRemove).toBe('interval');
    expect(make({ mongoUrl: URL }).autoRemove).toBe('pending');
  });

  it('does not reject a clientPromise unhandled, and reports its failure through each call', async () => {
    const store = make({ clientPromise: Promise.reject(new Error('no client today')), autoRemove: 'disabled' });
    await expect(store.get('sid')).rejects.toThrow('MongoStore.get failed: no client today');
  });

  // What mongoose.connect() resolves to, and mongoose.connection: their MongoClient is getClient().
  const mongooseConnection = { readyState: 1, getClient: () => new MongoClient(URL), db: { databaseName: 'x' } };
  const mongooseInstance = { connection: mongooseConnection, version: '8.0.0' };

  it.each([
    [
      'a Mongoose instance',
      mongooseInstance,
      /got a Mongoose instance: pass its MongoClient, mongoose\.connection\.getClient\(\)/,
    ],
    [
      'a Mongoose connection',
      mongooseConnection,
      /got a Mongoose connection: pass its MongoClient, connection\.getClient\(\)/,
    ],
    ['undefined', undefined, /got undefined: pass the MongoClient from the mongodb package/],
    ['a plain object', { url: URL }, /got an object without the db\(\) and on\(\) methods of a MongoClient/],
  ])(
    'a clientPromise resolving to %s fails every call with what to pass instead, and never crashes the process',
    async (_, resolved, message) => {
      const faults = watchProcessFaults();
      try {
        // The default autoRemove ("native") too: its index creation must not touch the wrong object either.
        const store = make({ clientPromise: Promise.resolve(resolved) });
        await expect(store.get('sid')).rejects.toThrow(
          /^MongoStore\.get failed: MongoStore: option "clientPromise" must resolve to a MongoClient; /,
        );
        await expect(store.get('sid')).rejects.toThrow(message);
        await expect(store.set('sid', session(60_000))).rejects.toThrow(message);
        await expect(store.length()).rejects.toThrow(message);
        // Background work (the connection watch, the TTL index) would have started by now.
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(faults.fatal).toEqual([]);
      } finally {
        faults.stop();
      }
    },
  );

  it('a client option that is a Mongoose instance is refused at construction, naming getClient()', () => {
    expect(() => make({ client: mongooseInstance })).toThrow(
      /option "client" must be a MongoClient; got a Mongoose instance: pass its MongoClient, mongoose\.connection\.getClient\(\)/,
    );
  });
});

describe("connect-mongo's options, through create(): each honoured, or refused naming the replacement", () => {
  type Internals = { settings: ResolvedMongoOptions; touchAfterMs: number; legacy: unknown };
  const internals = (store: MongoStore) => store as unknown as Internals;
  const settings = (store: MongoStore) => internals(store).settings;
  const client = new MongoClient(URL);
  const clientPromise = Promise.resolve(client);
  const writeOperationOptions = { w: 1 as const };
  anchorOptionCases<MongoStore>(
    'connect-mongo',
    [
      'mongoUrl',
      'clientPromise',
      'client',
      'collectionName',
      'mongoOptions',
      'dbName',
      'ttl',
      'touchAfter',
      'stringify',
      'createAutoRemoveIdx',
      'autoRemove',
      'autoRemoveInterval',
      'serialize',
      'unserialize',
      'writeOperationOptions',
      'transformId',
      'crypto',
      'cryptoAdapter',
      'timestamps',
    ],
    (options) => {
      const store = MongoStore.create({
        ...(options.client || options.clientPromise ? {} : { mongoUrl: URL }),
        autoRemove: 'disabled',
        ...options,
      } as MongoStoreOptions);
      made.push(store);
      return store;
    },
    [
      [
        'mongoUrl',
        { mongoUrl: URL },
        { honoured: (store) => expect(settings(store).source).toMatchObject({ mongoUrl: URL }) },
      ],
      [
        'clientPromise',
        { clientPromise },
        { honoured: (store) => expect(settings(store).source).toMatchObject({ clientPromise }) },
      ],
      ['client', { client }, { honoured: (store) => expect(settings(store).source).toMatchObject({ client }) }],
      [
        'collectionName',
        { collectionName: 'app_sessions' },
        { honoured: (store) => expect(settings(store).collectionName).toBe('app_sessions') },
      ],
      [
        'mongoOptions',
        { mongoOptions: { appName: 'the-app' } },
        { honoured: (store) => expect(settings(store).source).toMatchObject({ mongoOptions: { appName: 'the-app' } }) },
      ],
      ['dbName', { dbName: 'app' }, { honoured: (store) => expect(settings(store).dbName).toBe('app') }],
      ['ttl', { ttl: 5 }, { honoured: (store) => expect(store.capabilities.defaultTtlMs).toBe(5000) }],
      ['touchAfter', { touchAfter: 30 }, { honoured: (store) => expect(internals(store).touchAfterMs).toBe(30_000) }],
      ['stringify', { stringify: false }, { honoured: (store) => expect(settings(store).stringify).toBe(false) }],
      [
        'createAutoRemoveIdx',
        { createAutoRemoveIdx: false },
        { refused: /"createAutoRemoveIdx" of connect-mongo is not supported: use "autoRemove"/ },
      ],
      [
        'autoRemove',
        { autoRemove: 'interval' },
        { honoured: (store) => expect(settings(store).autoRemove).toBe('interval') },
      ],
      [
        'autoRemoveInterval',
        { autoRemove: 'interval', autoRemoveInterval: 3 },
        { honoured: (store) => expect(settings(store).autoRemoveIntervalMs).toBe(180_000) },
      ],
      [
        'serialize',
        { serialize: () => ({}) },
        { refused: /"serialize" of connect-mongo is not supported: use "serializer"/ },
      ],
      [
        'unserialize',
        { unserialize: () => ({}) },
        { refused: /"unserialize" of connect-mongo is not supported: use "serializer"/ },
      ],
      [
        'writeOperationOptions',
        { writeOperationOptions },
        { honoured: (store) => expect(settings(store).writeConcern).toMatchObject({ w: 1 }) },
      ],
      [
        'transformId',
        { transformId: (sid: string) => sid },
        { refused: /"transformId" of connect-mongo is not supported: sids are stored as they are/ },
      ],
      [
        'crypto',
        { crypto: { secret: 'Squirrel!Secret-of-the-App#2024' } },
        { honoured: (store) => expect(internals(store).legacy).not.toBeNull() },
      ],
      [
        'crypto',
        { crypto: { secret: 'squirrel' } },
        { refused: /too weak .*give "encryption": \{ secret: \{ key: crypto\.randomBytes\(32\)/ },
      ],
      [
        'cryptoAdapter',
        { cryptoAdapter: adapter, encryption: { secret: Buffer.alloc(32, 1) } },
        { honoured: (store) => expect(internals(store).legacy).not.toBeNull() },
      ],
      ['cryptoAdapter', { cryptoAdapter: adapter }, { refused: /"cryptoAdapter" only reads .*give "encryption"/ }],
      ['timestamps', { timestamps: true }, { honoured: (store) => expect(settings(store).timestamps).toBe(true) }],
    ],
  );
});
