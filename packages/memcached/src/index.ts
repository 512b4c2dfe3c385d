export { MemcachedStore } from './memcached-store';
export {
  type ConnectMemcachedSecretOptions,
  DEFAULT_CLIENT_OPTIONS,
  type KeyDistribution,
  type MemcachedStoreOptions,
  type MemjsClientOptions,
} from './options';
export { type ConnectMemcachedOptions, fromConnectMemcachedOptions } from './connect-memcached-options';
export { ketamaServerIndex, type KetamaServer } from './ketama';
export { sessionKey, sidOfKey } from './keys';
export { memcachedExptime } from './exptime';
