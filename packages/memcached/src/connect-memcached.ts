import { type ConnectMemcachedOptions, fromConnectMemcachedOptions } from './connect-memcached-options';
import { MemcachedStore } from './memcached-store';

/**
 * connect-memcached's shape, for a switch that changes one line:
 * `require('@session-stores/memcached/connect-memcached')(session)` returns a store class that
 * takes connect-memcached's options with connect-memcached's defaults (prefix `""`, the
 * `memcached` package's ketama key distribution, `127.0.0.1:11211` when no server is given), so
 * it finds every session connect-memcached wrote.
 */

/** The class `connectMemcached(session)` returns. */
export type ConnectMemcachedStoreClass = new (options?: ConnectMemcachedOptions) => MemcachedStore;

/** `require('@session-stores/memcached/connect-memcached')(session)`: connect-memcached's factory. */
export default function connectMemcached(session?: { Store?: unknown }): ConnectMemcachedStoreClass {
  if (session !== undefined && typeof session?.Store !== 'function') {
    throw new TypeError('connect-memcached compatibility: pass express-session (require("express-session"))');
  }
  return class ConnectMemcachedStore extends MemcachedStore {
    constructor(options?: ConnectMemcachedOptions) {
      super(fromConnectMemcachedOptions(options));
    }
  };
}

export type { ConnectMemcachedOptions };
