import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import type { ClientSource, RedisClient } from './options';

/** Longest wait between two reconnection attempts: recovery within a second of Redis coming back. */
const MAX_RECONNECT_DELAY_MS = 1000;
/** Longest wait for one TCP connection (and handshake) attempt. */
const MAX_CONNECT_TIMEOUT_MS = 2000;

/**
 * Settings of every connection the store makes, chosen so that no call hangs while Redis is
 * down (clause 32) and nothing queued during an outage is replayed long after its caller gave up:
 *
 * - `enableOfflineQueue: true`: a call made before the first connection (or during a short
 *   reconnect) waits for it instead of failing at once;
 * - `maxRetriesPerRequest: 1`: queued calls fail after the second failed reconnection attempt
 *   (a fraction of a second), so an outage surfaces quickly and the queue stays small;
 * - `commandTimeout`: a call that was sent but gets no answer (a frozen server) fails within
 *   the store's `operationTimeoutMs`;
 * - `connectTimeout`: an unreachable host is given up on within two seconds, then retried;
 * - `retryStrategy`: reconnects forever, at most a second apart, so the store recovers on its own.
 *
 * Sentinel and Cluster clients get the equivalents (see createOwnClient).
 */
export function connectionDefaults(operationTimeoutMs: number): RedisOptions {
  return {
    connectTimeout: Math.min(MAX_CONNECT_TIMEOUT_MS, operationTimeoutMs),
    commandTimeout: operationTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt - 1, 10), MAX_RECONNECT_DELAY_MS),
  };
}

/** Makes the client described by `url`, `sentinel` or `cluster`; the caller's options win over the defaults. */
export function createOwnClient(
  source: Exclude<ClientSource, { kind: 'client' }>,
  operationTimeoutMs: number,
): RedisClient {
  const defaults = connectionDefaults(operationTimeoutMs);
  let client: RedisClient;
  switch (source.kind) {
    case 'url':
      client = new Redis(source.url, { ...defaults, ...source.clientOptions });
      break;
    case 'sentinel':
      client = new Redis({
        ...defaults,
        sentinels: source.sentinels,
        name: source.name,
        // After a failover the old master turns replica and refuses writes with READONLY:
        // reconnect (asking the sentinels for the new master) and resend that command.
        reconnectOnError: (error) => (error.message.startsWith('READONLY') ? 2 : false),
        // Must never give up (return null): a client whose sentinels all failed one connection
        // attempt would end for good. The price: while every sentinel is down, queued calls
        // wait for commandTimeout rather than failing at the second reconnection attempt.
        sentinelRetryStrategy: (attempt) => Math.min(100 * attempt, MAX_RECONNECT_DELAY_MS),
        ...source.clientOptions,
      });
      break;
    case 'cluster': {
      const { retryStrategy: _perNodeRetry, enableOfflineQueue: _queue, ...nodeDefaults } = defaults;
      const options: ClusterOptions = {
        // The Cluster queues calls while it has no usable node at all, and only a Cluster that
        // has ended for good fails them: with the queue off they fail at once in a full outage
        // (the store waits for the first connection itself, see RedisStore). Calls to one node
        // that is reconnecting still wait in that node's own queue, bounded as above.
        enableOfflineQueue: false,
        clusterRetryStrategy: (attempt) => Math.min(100 * attempt, MAX_RECONNECT_DELAY_MS),
        slotsRefreshTimeout: Math.min(MAX_CONNECT_TIMEOUT_MS, operationTimeoutMs),
        ...source.clusterOptions,
        redisOptions: { ...nodeDefaults, ...source.clientOptions, ...source.clusterOptions.redisOptions },
      };
      client = new Cluster(source.nodes, options);
      break;
    }
  }
  // Failures reach the caller of each store method; without a listener ioredis would also
  // print every reconnection error of an outage to the console.
  client.on('error', () => {});
  return client;
}

/** Closes a client the store made, politely when Redis answers, at once when it does not; resolves once it has ended. */
export async function closeOwnClient(client: RedisClient, waitMs: number): Promise<void> {
  if (client.status === 'end') return;
  const ended = new Promise<void>((resolve) => client.once('end', () => resolve()));
  try {
    await withinMs(client.quit(), waitMs);
  } catch {
    // Redis is unreachable: nothing to say goodbye to.
  }
  // quit() may have ended it meanwhile; TypeScript still sees the status narrowed above.
  if ((client.status as string) === 'end') return;
  client.disconnect();
  await withinMs(ended, waitMs);
}

/** `promise`, or undefined once `ms` have passed. */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
  });
  try {
    return await Promise.race([promise, gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}
