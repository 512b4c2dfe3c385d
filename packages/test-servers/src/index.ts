/**
 * @session-stores/test-servers: starts real backend servers for tests. Each backend comes
 * from a URL in the environment, a container (testcontainers), or local binaries, in that order
 * (see README.md).
 */
export { BACKEND_NAMES, startBackend, type ServerFor } from './backends';
export { containerRuntimeStatus, type ContainerRuntimeStatus } from './containers';
export { isStrictMode, providerVariable } from './env';
export { BackendUnavailableError, DriverMissingError, ProviderUnavailableError, ServerStartError } from './errors';
export { backendForTests, backendTitle, skipReason } from './for-tests';
export { IMAGES, imageFor, imageVariable, type ImageName } from './images';
export { startMemcached, type MemcachedOptions } from './memcached';
export { startMongo } from './mongo';
export { startPostgres } from './postgres';
export type { StartOptions } from './providers';
export { startRedis } from './redis';
export { startLocalRedisWithConfig } from './redis-configured';
export { startRedisCluster } from './redis-cluster';
export { startRedisSentinel } from './redis-sentinel';
export type {
  BackendName,
  BackendServer,
  HarnessServer,
  HostPort,
  LocalServerInfo,
  Provider,
  RedisClusterServer,
  RedisSentinelServer,
} from './types';
