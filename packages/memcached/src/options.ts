import type { BaseStoreOptions } from '@session-stores/core';
import { validate } from '@session-stores/core';
import type { Client, ClientOptions, ServerOptions } from 'memjs';

export const STORE_NAME = 'MemcachedStore';

/** Options for the memjs client the store makes from `servers`. */
export type MemjsClientOptions = ClientOptions & ServerOptions;

/**
 * Options of {@link MemcachedStore}. Give exactly one of `client` or `servers`. `client`,
 * `prefix` and `ttl` mean what they mean in connect-memcached (whose `hosts` is `servers` here,
 * and whose default prefix is `""`).
 */
export interface MemcachedStoreOptions extends BaseStoreOptions {
  /**
   * A memjs `Client` you made. The store never closes it. Its timeout settings decide how fast
   * calls fail while a server is down (see the README, "Your own client"); keep `failover` off.
   */
  client?: Client;
  /**
   * `"host:port,host:port"` or `["host:port", ...]` (memjs's syntax, `user:pass@` allowed): the
   * store makes its own memjs client, with fail-fast timeouts, and closes it in `close()`.
   */
  servers?: string | readonly string[];
  /** memjs options for the client the store makes from `servers`, over the store's defaults. */
  clientOptions?: MemjsClientOptions;
  /** Prepended to every (escaped) sid to make the memcached key. Default `"sess:"`. */
  prefix?: string;
  /**
   * The servers' item size limit in bytes (memcached's `-I`, default 1 MiB). Sessions that
   * would not fit are refused before they are sent, because memcached deletes the previous
   * value of a key when it refuses a too-large `set`. Default 1048576.
   */
  itemSizeMax?: number;
  /** How many sessions `all`, `ids`, `length` and `iterate` fetch at once. Default 100. */
  batchSize?: number;
}

export const DEFAULT_PREFIX = 'sess:';
export const DEFAULT_ITEM_SIZE_MAX = 1_048_576;
export const DEFAULT_BATCH_SIZE = 100;
/**
 * Room kept in an item for memcached's own header (about 60 bytes with CAS) and the key (at
 * most 250 bytes), so that a session the store accepts always fits.
 */
export const ITEM_OVERHEAD_BYTES = 512;

/**
 * The memjs settings of a client the store makes: every call fails within about two seconds on
 * a dead or hung server (two attempts of one second), well inside the store's 5 s bound, and
 * never fails over to another server (that would split a session across servers).
 */
export const DEFAULT_CLIENT_OPTIONS: MemjsClientOptions = {
  timeout: 1,
  conntimeout: 1,
  retries: 2,
  retry_delay: 0.1,
  failover: false,
  keepAlive: true,
  logger: { log: () => {} },
};

export type ClientSource =
  { kind: 'client'; client: Client } | { kind: 'servers'; servers: string; clientOptions: MemjsClientOptions };

export interface ResolvedMemcachedOptions {
  source: ClientSource;
  prefix: string;
  itemSizeMax: number;
  batchSize: number;
}

/** Key-safe: printable ASCII without spaces (the text protocol splits on them), short enough to leave room for the sid. */
const PREFIX = {
  regex: /^[\x21-\x7e]{0,200}$/,
  description: 'a string of at most 200 printable ASCII characters without spaces',
};
const SERVER = /^(?:[^@\s,]+@)?[^\s,@:]+(?::\d{1,5})?$/;

/** Validates the memcached-specific options (the base validates the shared ones); throws a TypeError naming the option. */
export function resolveOptions(raw: MemcachedStoreOptions | undefined): ResolvedMemcachedOptions {
  const options = validate.checkOptionsObject(STORE_NAME, raw);
  const way = validate.exactlyOne(STORE_NAME, options, ['client', 'servers']);
  if (way === 'client' && options.clientOptions !== undefined) {
    throw new TypeError(
      `${STORE_NAME}: option "clientOptions" applies only with "servers"; configure your own client directly`,
    );
  }
  const clientOptions = options.clientOptions;
  if (clientOptions !== undefined && !validate.isPlainObject(clientOptions)) {
    throw new TypeError(
      `${STORE_NAME}: option "clientOptions" must be an object of memjs options, got ${validate.describeValue(clientOptions)}`,
    );
  }
  const itemSizeMax =
    validate.optionalNumber(STORE_NAME, 'itemSizeMax', options.itemSizeMax, {
      min: 1024,
      max: 1024 * 1024 * 1024,
      integer: true,
    }) ?? DEFAULT_ITEM_SIZE_MAX;
  return {
    source:
      way === 'client'
        ? { kind: 'client', client: checkClient(options.client) }
        : {
            kind: 'servers',
            servers: checkServers(options.servers),
            clientOptions: { ...DEFAULT_CLIENT_OPTIONS, ...(clientOptions as MemjsClientOptions | undefined) },
          },
    prefix: validate.optionalString(STORE_NAME, 'prefix', options.prefix, PREFIX) ?? DEFAULT_PREFIX,
    itemSizeMax,
    batchSize:
      validate.optionalNumber(STORE_NAME, 'batchSize', options.batchSize, { min: 1, max: 10_000, integer: true }) ??
      DEFAULT_BATCH_SIZE,
  };
}

/** The store sends its own binary requests through memjs's perform(); anything else cannot carry them. */
function checkClient(client: unknown): Client {
  const candidate = client as Record<string, unknown> | null;
  if (
    !validate.isPlainObject(candidate) ||
    typeof candidate!.perform !== 'function' ||
    typeof candidate!.incrSeq !== 'function' ||
    typeof candidate!.server !== 'function' ||
    !Array.isArray(candidate!.servers)
  ) {
    throw new TypeError(
      `${STORE_NAME}: option "client" must be a memjs Client (memjs.Client.create(...)), got ${candidate && typeof candidate.getMulti === 'function' ? 'what looks like a "memcached" package client, which MemcachedStore does not accept (see "Migrating from connect-memcached" in the README)' : validate.describeValue(client)}`,
    );
  }
  return client as Client;
}

function checkServers(servers: unknown): string {
  const list = typeof servers === 'string' ? servers.split(',').map((entry) => entry.trim()) : servers;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((entry) => typeof entry === 'string' && SERVER.test(entry))
  ) {
    throw new TypeError(
      `${STORE_NAME}: option "servers" must be "host:port,host:port" or a non-empty array of "host:port" strings, got ${validate.describeValue(servers)}`,
    );
  }
  return (list as string[]).join(',');
}
