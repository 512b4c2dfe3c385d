import type * as ioredisModule from 'ioredis';
import type { ClusterOptions, RedisOptions } from 'ioredis';
import { IoredisDriver, type IoredisClient } from './ioredis-driver';
import { MAX_CONNECT_TIMEOUT_MS, MAX_RECONNECT_DELAY_MS, type OwnClientSource } from './own-client-source';

type Ioredis = typeof ioredisModule;

/**
 * Settings of every connection the store makes with ioredis, chosen so that no call hangs
 * while Redis is down (clause 32) and nothing is sent after its caller gave up:
 *
 * - `enableOfflineQueue: false`: the store itself holds a call back until the client is ready,
 *   for no longer than the call's deadline (see ready-gate.ts), so the client never keeps a
 *   command to send it after its caller was told it failed;
 * - `maxRetriesPerRequest: 0`: a command in flight when the connection drops fails, rather
 *   than being sent again on reconnect, possibly after its deadline;
 * - no `commandTimeout`: the store's deadline bounds every call already, and a second timer
 *   per command costs CPU on every call;
 * - `connectTimeout`: an unreachable host is given up on within two seconds, then retried;
 * - `retryStrategy`: reconnects forever, at most a second apart, so the store recovers on its own.
 */
export function connectionDefaults(operationTimeoutMs: number): RedisOptions {
  return {
    connectTimeout: Math.min(MAX_CONNECT_TIMEOUT_MS, operationTimeoutMs),
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt - 1, 10), MAX_RECONNECT_DELAY_MS),
  };
}

/** Makes the ioredis client described by `url`, `sentinel` or `cluster`; the caller's options win over the defaults. */
export function createOwnIoredis(ioredis: Ioredis, source: OwnClientSource, operationTimeoutMs: number): IoredisDriver {
  const defaults = connectionDefaults(operationTimeoutMs);
  const clientOptions = source.clientOptions as RedisOptions;
  let client: IoredisClient;
  switch (source.kind) {
    case 'url':
      client = new ioredis.Redis(source.url, { ...defaults, ...clientOptions });
      break;
    case 'sentinel':
      client = new ioredis.Redis({
        ...defaults,
        sentinels: source.sentinels,
        name: source.name,
        // After a failover the old master turns replica and refuses writes with READONLY:
        // reconnect (asking the sentinels for the new master) and resend that command.
        reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
        // Must never give up (return null): a client whose sentinels all failed one connection
        // attempt would end for good.
        sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, MAX_RECONNECT_DELAY_MS),
        ...clientOptions,
      });
      break;
    case 'cluster': {
      const clusterOptions = source.clusterOptions as ClusterOptions;
      const { retryStrategy: _perNodeRetry, ...nodeDefaults } = defaults;
      const options: ClusterOptions = {
        // The store waits for readiness itself (ready-gate.ts); a queued call could be sent
        // after its caller gave up.
        enableOfflineQueue: false,
        clusterRetryStrategy: (attempt) => Math.min(100 * attempt, MAX_RECONNECT_DELAY_MS),
        slotsRefreshTimeout: Math.min(MAX_CONNECT_TIMEOUT_MS, operationTimeoutMs),
        ...clusterOptions,
        redisOptions: { ...nodeDefaults, ...clientOptions, ...clusterOptions.redisOptions },
      };
      client = new ioredis.Cluster(source.nodes as never, options);
      break;
    }
  }
  // Failures reach the caller of each store method; without a listener ioredis would also
  // print every reconnection error of an outage to the console.
  client.on('error', () => {});
  return new IoredisDriver(client);
}
