// The harness, in one place for this package's tests.
export { startRedis } from '../../../conformance/src/harness/redis';
export { startRedisCluster } from '../../../conformance/src/harness/redis-cluster';
export { startRedisSentinel } from '../../../conformance/src/harness/redis-sentinel';
export { startLocalRedisWithConfig } from '../../../conformance/src/harness/redis-configured';
export type { HarnessServer, RedisClusterServer, RedisSentinelServer } from '../../../conformance/src/harness/types';
