import { type BaseStoreOptions, MAX_TIMER_SECONDS, validate } from '@session-stores/core';

export const STORE_NAME = 'MongoStore';
import type { MongoClient, MongoClientOptions, WriteConcernSettings } from 'mongodb';
import type { CryptoAdapter } from './legacy-crypto';
import type { KrupteinOptions } from './kruptein-reader';

/** How expired documents leave the collection. `get` and the enumerations ignore them either way. */
export type AutoRemove = 'native' | 'interval' | 'disabled';

/**
 * Options of {@link MongoStore}. Names follow connect-mongo 6 where they mean the same thing, so
 * a connect-mongo configuration carries over (see the README, "Migrating from connect-mongo").
 * Give exactly one of `client`, `clientPromise` and `mongoUrl`.
 */
export interface MongoStoreOptions extends BaseStoreOptions {
  /** A MongoClient you made. The store never closes it; set its timeouts yourself (see the README). */
  client?: MongoClient;
  /** A promise of a MongoClient you made (connect-mongo compatibility). The store never closes it. */
  clientPromise?: Promise<MongoClient>;
  /**
   * A connection string (`mongodb://` or `mongodb+srv://`): the store makes its own client,
   * with timeouts that keep calls short while the server is down, and closes it in `close()`.
   */
  mongoUrl?: string;
  /** Driver options for the client made from `mongoUrl`; they override the store's defaults. Only with `mongoUrl`. */
  mongoOptions?: MongoClientOptions;
  /** The database. Default: the one named in the connection string, else the driver's default (`test`). */
  dbName?: string;
  /** The collection holding the sessions, and nothing else. Default `"sessions"`. */
  collectionName?: string;
  /**
   * `"native"` (default) creates a TTL index on `expires` so the server deletes expired
   * documents; a server that rejects TTL indexes (FerretDB) makes the store fall back to
   * `"interval"` and emit a `warning` event. `"interval"` deletes them from a timer in this
   * process, in bounded batches. `"disabled"` leaves them (call `store.prune()` yourself).
   */
  autoRemove?: AutoRemove;
  /** Minutes between two prunes with `autoRemove: "interval"` (fractions allowed). Default 10. */
  autoRemoveInterval?: number;
  /**
   * `true` (default) stores the session as a JSON string, as connect-mongo does. `false` stores
   * it as a BSON sub-document you can query; keys that BSON or MongoDB cannot hold are encoded
   * (see the README, "Data layout"). Cannot be combined with a custom `serializer`.
   */
  stringify?: boolean;
  /** Documents deleted per batch by `prune()`. Default 1000. */
  pruneBatchSize?: number;
  /** Documents fetched per page (one bounded query each) by `all()`, `ids()` and `iterate()`. Default 100. */
  pageSize?: number;
  /**
   * connect-mongo's `crypto` (kruptein): sessions it encrypted are read with this secret and
   * written again with `encryption`, which defaults to `{ secret: crypto.secret }` when that
   * secret has 16 bytes or more (give `encryption` yourself otherwise). See the README.
   */
  crypto?: KrupteinOptions | { secret: false };
  /** connect-mongo's `cryptoAdapter`: its `decrypt` reads the sessions it encrypted; needs `encryption` for the writes. */
  cryptoAdapter?: CryptoAdapter;
  /** As connect-mongo: `createdAt` on the first write of a session, `updatedAt` on every set and touch. Default false. */
  timestamps?: boolean;
  /** As connect-mongo: the write concern of every set, touch, destroy and clear (e.g. `{ w: 'majority' }`). */
  writeOperationOptions?: WriteConcernSettings;
}

/** The default lifetime of a session whose cookie has no expiry: 14 days, as connect-mongo. */
export const DEFAULT_TTL_SECONDS = 14 * 24 * 60 * 60;
export const DEFAULT_COLLECTION_NAME = 'sessions';
export const DEFAULT_AUTO_REMOVE_INTERVAL_MINUTES = 10;
/** setTimeout's longest delay, in minutes: anything longer fires at once. */
const MAX_INTERVAL_MINUTES = Math.floor(MAX_TIMER_SECONDS / 60);

/** connect-mongo options this store does not take, with what to use instead. Silently ignoring them could store plaintext or lose ids. */
const UNSUPPORTED: Record<string, string> = {
  // all(), ids() and iterate() give sids: an _id made by a one-way function gives none back.
  transformId:
    'sids are stored as they are in _id, so that all(), ids() and iterate() can give them; sessions stored under transformId(sid) are not found, so keep connect-mongo until they expire, or copy them to their sids first',
  // Their stored value may be anything, which neither layout nor the migration from them could read back.
  serialize: 'use "serializer" ({ stringify, parse } of text, with stringify: true) instead',
  unserialize: 'use "serializer" ({ stringify, parse } of text, with stringify: true) instead',
  createAutoRemoveIdx: 'use "autoRemove"',
};

export type ClientSource =
  | { kind: 'client'; client: MongoClient }
  | { kind: 'clientPromise'; clientPromise: Promise<MongoClient> }
  | { kind: 'mongoUrl'; mongoUrl: string; mongoOptions: MongoClientOptions };

/** The validated, defaulted options the store runs with. */
export interface ResolvedMongoOptions {
  source: ClientSource;
  dbName: string | undefined;
  collectionName: string;
  autoRemove: AutoRemove;
  autoRemoveIntervalMs: number;
  stringify: boolean;
  pruneBatchSize: number;
  pageSize: number;
  timestamps: boolean;
  /** The write concern of set, touch, destroy and clear; undefined for the client's. */
  writeConcern: WriteConcernSettings | undefined;
}

/** Validates the MongoStore-specific options (the base validates the shared ones); throws a TypeError naming the option. */
export function resolveOptions(options: MongoStoreOptions | undefined): ResolvedMongoOptions {
  const raw = (options ?? {}) as unknown as Record<string, unknown>;
  for (const [name, instead] of Object.entries(UNSUPPORTED)) {
    if (raw[name] !== undefined)
      throw new TypeError(`${STORE_NAME}: option "${name}" of connect-mongo is not supported: ${instead}`);
  }
  const sourceName = validate.exactlyOne(STORE_NAME, raw, ['client', 'clientPromise', 'mongoUrl']);
  if (raw.mongoOptions !== undefined && sourceName !== 'mongoUrl') {
    throw new TypeError(
      `${STORE_NAME}: option "mongoOptions" applies only with "mongoUrl"; configure your own client directly`,
    );
  }

  const stringify = validate.optionalBoolean(STORE_NAME, 'stringify', raw.stringify) ?? true;
  if (!stringify && raw.serializer !== undefined) {
    throw new TypeError(
      `${STORE_NAME}: option "serializer" needs stringify: true (with stringify: false the session is stored as a BSON document)`,
    );
  }

  return {
    source: clientSource(sourceName, raw),
    dbName: validate.optionalString(STORE_NAME, 'dbName', raw.dbName, DB_NAME),
    collectionName:
      validate.optionalString(STORE_NAME, 'collectionName', raw.collectionName, COLLECTION_NAME) ??
      DEFAULT_COLLECTION_NAME,
    autoRemove:
      validate.optionalOneOf(STORE_NAME, 'autoRemove', raw.autoRemove, ['native', 'interval', 'disabled'] as const) ??
      'native',
    autoRemoveIntervalMs:
      (validate.optionalNumber(STORE_NAME, 'autoRemoveInterval', raw.autoRemoveInterval, {
        min: 1 / 60_000,
        max: MAX_INTERVAL_MINUTES,
      }) ?? DEFAULT_AUTO_REMOVE_INTERVAL_MINUTES) * 60_000,
    stringify,
    pruneBatchSize: validate.pruneBatchSize(STORE_NAME, raw.pruneBatchSize, 100_000),
    pageSize: validate.pageSize(STORE_NAME, raw.pageSize),
    timestamps: validate.optionalBoolean(STORE_NAME, 'timestamps', raw.timestamps) ?? false,
    writeConcern: validate.optionalObject(STORE_NAME, 'writeOperationOptions', raw.writeOperationOptions) as
      WriteConcernSettings | undefined,
  };
}

function clientSource(name: string, raw: Record<string, unknown>): ClientSource {
  if (name === 'client') {
    const problem = notAMongoClient(raw.client);
    if (problem !== null) throw new TypeError(`${STORE_NAME}: option "client" must be a MongoClient; ${problem}`);
    return { kind: 'client', client: raw.client as MongoClient };
  }
  if (name === 'clientPromise') {
    const promise = raw.clientPromise as { then?: unknown } | null;
    if (typeof promise !== 'object' || promise === null || typeof promise.then !== 'function') {
      throw new TypeError(`${STORE_NAME}: option "clientPromise" must be a Promise of a MongoClient`);
    }
    return { kind: 'clientPromise', clientPromise: raw.clientPromise as Promise<MongoClient> };
  }
  const mongoUrl = validate.optionalString(STORE_NAME, 'mongoUrl', raw.mongoUrl, MONGO_URL)!;
  const mongoOptions =
    raw.mongoOptions === undefined
      ? {}
      : validate.checkOptionsObject(`${STORE_NAME}: option "mongoOptions"`, raw.mongoOptions);
  return { kind: 'mongoUrl', mongoUrl, mongoOptions: mongoOptions as MongoClientOptions };
}

/**
 * Why `value` cannot be used as a MongoClient, naming what to pass instead, or null when it can
 * (it has the two methods the store calls on a client before any command: `db` and `on`).
 * Mongoose is named: a Mongoose instance (what `mongoose.connect()` resolves to) or connection is
 * the usual mistake, and its MongoClient is one call away.
 */
export function notAMongoClient(value: unknown): string | null {
  const candidate = value as { db?: unknown; on?: unknown; getClient?: unknown; connection?: unknown } | null;
  if (typeof candidate === 'object' && candidate !== null) {
    if (typeof candidate.db === 'function' && typeof candidate.on === 'function') return null;
    if (typeof candidate.getClient === 'function')
      return 'got a Mongoose connection: pass its MongoClient, connection.getClient() (for instance mongoose.connection.getClient())';
    const connection = candidate.connection as { getClient?: unknown } | null | undefined;
    if (typeof connection === 'object' && connection !== null && typeof connection.getClient === 'function')
      return 'got a Mongoose instance: pass its MongoClient, mongoose.connection.getClient() (with clientPromise: mongoose.connect(url).then((m) => m.connection.getClient()))';
    return 'got an object without the db() and on() methods of a MongoClient: pass the MongoClient from the mongodb package (new MongoClient(url))';
  }
  return `got ${value === null ? 'null' : typeof value}: pass the MongoClient from the mongodb package (new MongoClient(url))`;
}

const MONGO_URL = {
  regex: /^mongodb(\+srv)?:\/\/./,
  description: 'a connection string starting with mongodb:// or mongodb+srv://',
};
// MongoDB's own rules: database names exclude /\. "$ and NUL, and are at most 63 bytes;
// collection names exclude $ and NUL and must not claim the system. namespace.
const DB_NAME = {
  // eslint-disable-next-line no-control-regex -- NUL is one of the characters to refuse
  regex: /^[^/\\. "$\u0000]{1,63}$/,
  description: 'a database name (1 to 63 characters, none of /\\. "$)',
};
const COLLECTION_NAME = {
  // eslint-disable-next-line no-control-regex -- NUL is one of the characters to refuse
  regex: /^(?!system\.)[^$\u0000]{1,200}$/,
  description: 'a collection name (1 to 200 characters, no "$", not starting with "system.")',
};
