import { weakPassphraseReason } from '@session-stores/core';
import type { MemcachedStoreOptions } from './options';

/**
 * connect-memcached's options (beside MemcachedStore's own) and their meaning as MemcachedStore
 * options, for the compatibility entry (connect-memcached.ts).
 */

/**
 * connect-memcached's options, beside every MemcachedStore option. A number `ttl` keeps
 * connect-memcached's meaning: the seconds every session lives, whatever its cookie says.
 */
export interface ConnectMemcachedOptions extends MemcachedStoreOptions {
  /**
   * connect-memcached's encryption secret: its sessions are read with it, and every session is
   * written with `encryption` (AES-256-GCM), which is `{ secret }` unless you give it.
   */
  secret?: string;
  /** connect-memcached's cipher for `secret`. Default `"aes-256-gcm"`. */
  algorithm?: string;
  /** connect-memcached's hash for `secret`. Default `"sha512"`. */
  hashing?: string;
  /**
   * The memcached package's key namespace, which went before connect-memcached's prefix: the
   * keys stay `namespace + prefix + sid`. Default `""`.
   */
  namespace?: string;
}

/** The options connect-memcached handed on to the `memcached` package or to kruptein, and what to use instead. */
const HANDED_ON: Record<string, string> = {
  timeout: 'use clientOptions.timeout (memjs, seconds)',
  retries: 'use clientOptions.retries (memjs)',
  retry: 'use clientOptions.retry_delay (memjs, seconds)',
  reconnect: 'use clientOptions.retry_delay (memjs, seconds)',
  idle: 'use clientOptions.keepAlive (memjs)',
  poolSize: 'memjs keeps one connection per server',
  failures: 'use clientOptions.retries (memjs); a dead server is reported through the store\'s "disconnect" event',
  remove: 'a key never moves to another server, which would split sessions',
  failOverServers: 'a key never moves to another server, which would split sessions',
  redundancy: 'each session lives on one server',
  compatibility: 'use keyDistribution ("ketama" is the memcached package\'s default)',
  keyCompression: 'keys longer than 250 bytes are refused',
  maxKeySize: "memcached's 250-byte key limit is enforced",
  maxValue: 'use itemSizeMax',
  maxExpiration: 'lifetimes over 30 days are written as absolute times',
  encodeas: "use encryption (sessions are written with MemcachedStore's own encryption)",
  use_asn1: "use encryption (sessions are written with MemcachedStore's own encryption)",
  use_scrypt: "use encryption (sessions are written with MemcachedStore's own encryption)",
  use_argon2: "use encryption (sessions are written with MemcachedStore's own encryption)",
  _key_size: "use encryption (sessions are written with MemcachedStore's own encryption)",
  _iv_size: "use encryption (sessions are written with MemcachedStore's own encryption)",
  _at_size: "use encryption (sessions are written with MemcachedStore's own encryption)",
  activeQueries: 'memjs sends each command at once and queues nothing',
  maxQueueSize: 'memjs sends each command at once and queues nothing',
  factor: 'use clientOptions.retries and clientOptions.retry_delay (memjs)',
  minTimeout: 'use clientOptions.retries and clientOptions.retry_delay (memjs)',
  maxTimeout: 'use clientOptions.retries and clientOptions.retry_delay (memjs)',
  randomize: 'use clientOptions.retries and clientOptions.retry_delay (memjs)',
  failuresTimeout:
    'use clientOptions.retries (memjs); a dead server is reported through the store\'s "disconnect" event',
  debug: 'listen to the store\'s "warning", "disconnect" and "connect" events, or pass clientOptions.logger (memjs)',
};

/** The MemcachedStore options an app written for connect-memcached means. */
export function fromConnectMemcachedOptions(options: ConnectMemcachedOptions = {}): MemcachedStoreOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`MemcachedStore: the options must be an object, got ${typeof options}`);
  }
  for (const name of Object.keys(options)) {
    if (name in HANDED_ON && (options as Record<string, unknown>)[name] !== undefined) {
      throw new TypeError(
        `MemcachedStore: option "${name}" (which connect-memcached hands to the memcached package or kruptein) is not supported; ${HANDED_ON[name]}`,
      );
    }
  }
  const { secret, algorithm, hashing, ttl, namespace, ...ours } = options;
  if (secret === undefined && (algorithm !== undefined || hashing !== undefined)) {
    throw new TypeError(
      `MemcachedStore: option "${algorithm !== undefined ? 'algorithm' : 'hashing'}" applies only with "secret" (connect-memcached's encryption); for the key distribution use keyDistribution`,
    );
  }
  const resolved: MemcachedStoreOptions = {
    prefix: '',
    ...(ours.client === undefined && ours.servers === undefined && ours.hosts === undefined
      ? { hosts: '127.0.0.1:11211' }
      : {}),
    ...(ours.client === undefined ? { keyDistribution: 'ketama' as const } : {}),
    ...ours,
  };
  // The memcached package put its namespace before every key connect-memcached made (prefix + sid).
  if (namespace !== undefined) {
    if (typeof namespace !== 'string') {
      throw new TypeError(
        `MemcachedStore: option "namespace" must be a string (the memcached package's key namespace)`,
      );
    }
    resolved.prefix = namespace + (resolved.prefix ?? '');
  }
  // connect-memcached's ttl beats the cookie's maxAge: a ttl function does that here.
  if (typeof ttl === 'number') resolved.ttl = () => ttl;
  else if (ttl !== undefined) resolved.ttl = ttl;
  if (secret !== undefined) {
    if (typeof secret !== 'string' || secret.length === 0) {
      throw new TypeError(`MemcachedStore: option "secret" must be connect-memcached's secret, a non-empty string`);
    }
    resolved.connectMemcachedSecret = {
      secret,
      ...(algorithm !== undefined ? { algorithm } : {}),
      ...(hashing !== undefined ? { hashing } : {}),
    };
    if (resolved.encryption === undefined) {
      const weakness = weakPassphraseReason(secret);
      if (weakness !== null) {
        throw new TypeError(
          `MemcachedStore: option "secret" is too weak to encrypt the sessions this store writes (${weakness}); keep it (to read connect-memcached's sessions) and give encryption: { secret: { key: crypto.randomBytes(32).toString('base64') } } (kept in an environment variable)`,
        );
      }
      resolved.encryption = { secret };
    }
  }
  return resolved;
}
