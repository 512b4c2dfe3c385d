import type { BaseStoreOptions } from '@session-stores/core';
import { namespacePrefixProblem, validate } from '@session-stores/core';
import type { Client, ClientOptions, ServerOptions } from 'memjs';

export const STORE_NAME = 'MemcachedStore';

/** Options for the memjs client the store makes from `servers`. */
export type MemjsClientOptions = ClientOptions & ServerOptions;

/** How keys are spread over several servers. */
export type KeyDistribution = 'memjs' | 'ketama';

/** Reading sessions connect-memcached encrypted with its `secret` option (see connect-memcached-secret.ts). */
export interface ConnectMemcachedSecretOptions {
  /** connect-memcached's `secret`. */
  secret: string;
  /** connect-memcached's `algorithm`: an AES-GCM cipher. Default `"aes-256-gcm"`. */
  algorithm?: string;
  /** connect-memcached's `hashing` (key derivation and HMAC). Default `"sha512"`. */
  hashing?: string;
}

/**
 * Options of {@link MemcachedStore}. Give exactly one of `client`, `servers` or `hosts`.
 * `client`, `prefix` and `ttl` mean what they mean in connect-memcached (whose default prefix
 * is `""`); its `hosts` is accepted as another name for `servers`.
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
  servers?: string | readonly string[] | Readonly<Record<string, number>>;
  /** connect-memcached's name for `servers`. */
  hosts?: string | readonly string[] | Readonly<Record<string, number>>;
  /**
   * Which server holds a key, with several servers. `"memjs"` (default): memjs's hash.
   * `"ketama"`: the consistent hashing of the `memcached` package, which connect-memcached uses,
   * so that sessions it wrote are found after a switch. `servers` as `{ "host:port": weight }`
   * (connect-memcached's weighted form) needs `"ketama"`. Only with `servers`/`hosts`.
   */
  keyDistribution?: KeyDistribution;
  /**
   * Read sessions connect-memcached stored encrypted with its `secret`: each is decrypted once
   * and rewritten in this store's format. Needs `encryption`, so that nothing is rewritten in clear.
   */
  connectMemcachedSecret?: ConnectMemcachedSecretOptions;
  /** memjs options for the client the store makes from `servers`, over the store's defaults. */
  clientOptions?: MemjsClientOptions;
  /**
   * Prepended to every (escaped) sid to make the memcached key: empty or ending with `":"`, so
   * that stores whose prefixes nest (`"sess:"`, `"sess:admin:"`) never list or clear each
   * other's sessions. Sids holding `":"` are refused. Default `"sess:"`.
   */
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
  | { kind: 'client'; client: Client }
  | { kind: 'servers'; servers: string; weights: number[]; clientOptions: MemjsClientOptions };

export interface ResolvedMemcachedOptions {
  source: ClientSource;
  keyDistribution: KeyDistribution;
  connectMemcachedSecret: Required<ConnectMemcachedSecretOptions> | null;
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
  const way = validate.exactlyOne(STORE_NAME, options, ['client', 'servers', 'hosts']);
  if (way === 'client' && options.clientOptions !== undefined) {
    throw new TypeError(
      `${STORE_NAME}: option "clientOptions" applies only with "servers"; configure your own client directly`,
    );
  }
  const keyDistribution =
    validate.optionalOneOf(STORE_NAME, 'keyDistribution', options.keyDistribution, ['memjs', 'ketama'] as const) ??
    'memjs';
  if (way === 'client' && options.keyDistribution !== undefined) {
    throw new TypeError(
      `${STORE_NAME}: option "keyDistribution" applies only with "servers"; with your own client, set its getServer(key) yourself`,
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
            ...checkServers(way, options[way], keyDistribution),
            clientOptions: { ...DEFAULT_CLIENT_OPTIONS, ...(clientOptions as MemjsClientOptions | undefined) },
          },
    keyDistribution,
    connectMemcachedSecret: checkConnectMemcachedSecret(options.connectMemcachedSecret, options.encryption),
    prefix: checkPrefix(validate.optionalString(STORE_NAME, 'prefix', options.prefix, PREFIX) ?? DEFAULT_PREFIX),
    itemSizeMax,
    batchSize:
      validate.optionalNumber(STORE_NAME, 'batchSize', options.batchSize, { min: 1, max: 10_000, integer: true }) ??
      DEFAULT_BATCH_SIZE,
  };
}

/** A namespace (see the core's namespace.ts): no store lists or clears the keys of a store with a longer prefix. */
function checkPrefix(prefix: string): string {
  const problem = namespacePrefixProblem(prefix);
  if (problem !== null) throw new TypeError(`${STORE_NAME}: option "prefix" ${problem}`);
  return prefix;
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

/** The memjs server string, and each server's weight (connect-memcached's `{ "host:port": weight }` form). */
function checkServers(
  name: string,
  servers: unknown,
  keyDistribution: KeyDistribution,
): { servers: string; weights: number[] } {
  let weights: unknown[] | null = null;
  let list: unknown = typeof servers === 'string' ? servers.split(',').map((entry) => entry.trim()) : servers;
  if (validate.isPlainObject(servers)) {
    if (keyDistribution !== 'ketama') {
      throw new TypeError(
        `${STORE_NAME}: option "${name}" as { "host:port": weight } needs keyDistribution: "ketama" (weights mean nothing to memjs's hash); or give an array of "host:port" strings`,
      );
    }
    list = Object.keys(servers);
    weights = Object.values(servers);
  }
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((entry) => typeof entry === 'string' && SERVER.test(entry)) ||
    (weights !== null &&
      !weights.every((weight) => typeof weight === 'number' && weight > 0 && Number.isFinite(weight)))
  ) {
    throw new TypeError(
      `${STORE_NAME}: option "${name}" must be "host:port,host:port", a non-empty array of "host:port" strings or, with keyDistribution "ketama", { "host:port": weight > 0 }, got ${validate.describeValue(servers)}`,
    );
  }
  return { servers: (list as string[]).join(','), weights: (weights as number[] | null) ?? list.map(() => 1) };
}

const KRUPTEIN_CIPHERS = /^aes-(128|192|256)-gcm$/;

function checkConnectMemcachedSecret(
  raw: unknown,
  encryption: unknown,
): Required<ConnectMemcachedSecretOptions> | null {
  if (raw === undefined) return null;
  const name = 'connectMemcachedSecret';
  if (!validate.isPlainObject(raw) || typeof raw.secret !== 'string' || raw.secret.length === 0) {
    throw new TypeError(
      `${STORE_NAME}: option "${name}" must be { secret, algorithm?, hashing? } with connect-memcached's secret, got ${validate.describeValue(raw)}`,
    );
  }
  const algorithm = validate.optionalString(STORE_NAME, `${name}.algorithm`, raw.algorithm, {
    regex: KRUPTEIN_CIPHERS,
    description: 'an AES-GCM cipher ("aes-256-gcm", "aes-192-gcm" or "aes-128-gcm"), as connect-memcached accepts',
  });
  const hashing = validate.optionalString(STORE_NAME, `${name}.hashing`, raw.hashing, {
    regex: /^(sha1|sha224|sha256|sha384|sha512|sha512-256|sha3-256|sha3-384|sha3-512)$/,
    description: 'a hash of crypto.getHashes() that connect-memcached users set, such as "sha512"',
  });
  if (encryption === undefined) {
    throw new TypeError(
      `${STORE_NAME}: option "${name}" needs "encryption" too: sessions read with the old secret are rewritten encrypted, never in clear`,
    );
  }
  return { secret: raw.secret, algorithm: algorithm ?? 'aes-256-gcm', hashing: hashing ?? 'sha512' };
}
