export { RedisStore } from './redis-store';
export {
  DEFAULT_DRIVER,
  DEFAULT_PREFIX,
  DEFAULT_SCAN_COUNT,
  DEFAULT_TTL_SECONDS,
  type RedisClient,
  type RedisStoreOptions,
} from './options';
export type { DriverName } from './driver';
export { escapeGlob } from './key-scan';
