import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { anchorOptionCases } from '../../../scripts/test-support/anchor-options';
import { PostgresStore, type PostgresStoreOptions } from '../src/index';

// No database is needed: options are checked at construction, and the store connects lazily.
const url = 'postgres://nobody@127.0.0.1:1/none';
const made: PostgresStore[] = [];
const make = (options: unknown) => {
  const store = new PostgresStore(options as PostgresStoreOptions);
  made.push(store);
  return store;
};
afterAll(async () => {
  await Promise.all(made.map((store) => store.close()));
});

describe('PostgresStore options', () => {
  it('takes at most one of pool, connectionString, conString, conObject', () => {
    expect(() => make({ connectionString: url, conString: url })).toThrow(/got connectionString and conString/);
    expect(() => make(undefined)).toThrow(TypeError);
    expect(() => make('postgres://x')).toThrow(/options must be an object/);
  });

  it('rejects a pool that is not a pg.Pool, and empty connection strings', () => {
    expect(() => make({ pool: {} })).toThrow(/option "pool" must be a pg.Pool/);
    expect(() => make({ connectionString: '' })).toThrow(
      /option "connectionString" must be a non-empty connection string/,
    );
    expect(() => make({ conObject: 'postgres://x' })).toThrow(TypeError);
  });

  it.each([
    ['tableName', 'session"; DROP TABLE users; --'],
    ['tableName', 'a b'],
    ['tableName', 'public.session'],
    ['tableName', '1session'],
    ['tableName', ''],
    ['tableName', 'x'.repeat(64)],
    ['schemaName', 'public"."session'],
    ['schemaName', "x' OR '1'='1"],
    ['schemaName', 'sch\u0000ema'],
    ['tableName', 42],
  ])('rejects %s %j with a TypeError naming the option', (option, value) => {
    expect(() => make({ connectionString: url, [option]: value })).toThrow(TypeError);
    expect(() => make({ connectionString: url, [option]: value })).toThrow(new RegExp(`option "${option}" must be`));
  });

  it('quotes valid names, keeping their case', () => {
    expect(make({ connectionString: url }).table).toBe('"session"');
    expect(make({ connectionString: url, schemaName: 'App_1', tableName: 'Sessions' }).table).toBe(
      '"App_1"."Sessions"',
    );
  });

  it.each([
    ['pruneSessionInterval', 0],
    ['pruneSessionInterval', -5],
    ['pruneSessionInterval', true],
    ['pruneSessionInterval', '900'],
    ['pruneSessionInterval', Number.POSITIVE_INFINITY],
    ['pruneBatchSize', 0],
    ['pruneBatchSize', 1.5],
    ['pageSize', 0],
    ['createTableIfMissing', 'yes'],
    ['errorLog', 'console'],
    ['ttl', -1],
    ['disableTouch', 1],
    ['operationTimeoutMs', 0],
  ])('rejects %s = %j with a TypeError naming it', (option, value) => {
    expect(() => make({ connectionString: url, [option]: value })).toThrow(new RegExp(`"${option}"`));
  });

  it('accepts a pg.Pool it will not end, and reports capabilities', async () => {
    const pool = new pg.Pool({ connectionString: url });
    const store = make({ pool, pruneSessionInterval: false, ttl: 60 });
    expect(store.capabilities).toMatchObject({
      touch: true,
      all: true,
      ids: true,
      length: true,
      clear: true,
      iterate: true,
      ttlGranularityMs: 1,
      persistent: true,
      maxSessionBytes: null,
      defaultTtlMs: 60_000,
    });
    await store.close();
    expect(pool.ended).toBe(false);
    await pool.end();
  });

  it('disableTouch makes touch absent, as express-session expects', () => {
    const store = make({ connectionString: url, disableTouch: true });
    expect(typeof store.touch).toBe('undefined');
    expect(store.capabilities.touch).toBe(false);
  });
});

describe("PostgresStore: connect-pg-simple's options", () => {
  it('refuses pgPromise, naming pool: db.$pool instead', () => {
    const pgPromise = { any: () => Promise.resolve([]) };
    expect(() => make({ pgPromise })).toThrow(/"pgPromise" is not supported: pass pg-promise's pool as "pool"/);
    expect(() => make({ pgPromise, connectionString: url })).toThrow(/"pgPromise"/);
  });

  it('refuses a custom pruneSessionRandomizedInterval, naming prune() on your own schedule', () => {
    for (const value of [(delay: number) => delay, true, 0.5]) {
      expect(() => make({ connectionString: url, pruneSessionRandomizedInterval: value })).toThrow(
        /"pruneSessionRandomizedInterval" must be false .*pruneSessionInterval: false and call prune\(\)/,
      );
    }
    expect(() => make({ connectionString: url, pruneSessionRandomizedInterval: false })).not.toThrow();
  });

  it('refuses the schema inside tableName, naming schemaName', () => {
    expect(() => make({ connectionString: url, tableName: 'app"."session' })).toThrow(
      /name the schema with "schemaName"/,
    );
  });

  it('falls back to DATABASE_URL when no connection option is given, as connect-pg-simple', () => {
    const saved = process.env['DATABASE_URL'];
    try {
      process.env['DATABASE_URL'] = url;
      expect(make({}).table).toBe('"session"');
      delete process.env['DATABASE_URL'];
      expect(() => make({})).toThrow(/or set the DATABASE_URL environment variable/);
    } finally {
      if (saved === undefined) delete process.env['DATABASE_URL'];
      else process.env['DATABASE_URL'] = saved;
    }
  });
});

describe("connect-pg-simple's options: each honoured, or refused naming the replacement", () => {
  type Internals = {
    pool: { options: Record<string, unknown> };
    createTableIfMissing: boolean;
    backgroundPrune: { intervalMs: number } | null;
  };
  const internals = (store: PostgresStore) => store as unknown as Internals;
  const pool = new pg.Pool({ connectionString: url });
  afterAll(() => pool.end());
  const errorLog = () => {};
  anchorOptionCases<PostgresStore>(
    'connect-pg-simple',
    [
      'pool',
      'pgPromise',
      'conString',
      'conObject',
      'ttl',
      'schemaName',
      'tableName',
      'createTableIfMissing',
      'disableTouch',
      'pruneSessionInterval',
      'pruneSessionRandomizedInterval',
      'errorLog',
    ],
    (options) =>
      make({
        ...(options.pool || options.conString || options.conObject ? {} : { conString: url }),
        pruneSessionInterval: false,
        ...options,
      }),
    [
      ['pool', { pool }, { honoured: (store) => expect(internals(store).pool).toBe(pool) }],
      [
        'pgPromise',
        { pgPromise: { $pool: pool } },
        { refused: /"pgPromise" is not supported: pass pg-promise's pool as "pool"/ },
      ],
      [
        'conString',
        { conString: url },
        { honoured: (store) => expect(internals(store).pool.options.connectionString).toBe(url) },
      ],
      [
        'conObject',
        { conObject: { host: '127.0.0.1', port: 1, user: 'nobody' } },
        {
          honoured: (store) =>
            expect(internals(store).pool.options).toMatchObject({ host: '127.0.0.1', port: 1, user: 'nobody' }),
        },
      ],
      ['ttl', { ttl: 5 }, { honoured: (store) => expect(store.capabilities.defaultTtlMs).toBe(5000) }],
      ['schemaName', { schemaName: 'app' }, { honoured: (store) => expect(store.table).toBe('"app"."session"') }],
      ['tableName', { tableName: 'sessions' }, { honoured: (store) => expect(store.table).toBe('"sessions"') }],
      [
        'createTableIfMissing',
        { createTableIfMissing: true },
        { honoured: (store) => expect(internals(store).createTableIfMissing).toBe(true) },
      ],
      ['disableTouch', { disableTouch: true }, { honoured: (store) => expect(store.touch).toBeUndefined() }],
      [
        'pruneSessionInterval',
        { pruneSessionInterval: 60 },
        { honoured: (store) => expect(internals(store).backgroundPrune?.intervalMs).toBe(60_000) },
      ],
      [
        'pruneSessionInterval',
        { pruneSessionInterval: false },
        { honoured: (store) => expect(internals(store).backgroundPrune).toBeNull() },
      ],
      [
        'pruneSessionRandomizedInterval',
        { pruneSessionRandomizedInterval: () => 1 },
        { refused: /pruneSessionRandomizedInterval.*prune\(\)/ },
      ],
      ['pruneSessionRandomizedInterval', { pruneSessionRandomizedInterval: false }, { honoured: () => {} }],
      ['errorLog', { errorLog }, { honoured: (store) => expect(store.listenerCount('warning')).toBeGreaterThan(0) }],
    ],
  );
});
