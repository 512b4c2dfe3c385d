export { MemcachedStore } from './memcached-store';
export { DEFAULT_CLIENT_OPTIONS, type MemcachedStoreOptions, type MemjsClientOptions } from './options';
export { sessionKey, sidOfKey } from './keys';
export { memcachedExptime } from './exptime';
