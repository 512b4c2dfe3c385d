import type * as nodeRedisModule from 'redis';
import { NodeRedisDriver, type NodeRedisAny } from './node-redis-driver';
import {
  MAX_CONNECT_TIMEOUT_MS,
  MAX_RECONNECT_DELAY_MS,
  type NodeAddress,
  type OwnClientSource,
} from './own-client-source';

type NodeRedis = typeof nodeRedisModule;
type Options = Record<string, unknown>;

/**
 * Settings of every connection the store makes with node-redis (see own-ioredis-client.ts for
 * why): no offline queue (the store holds a call back until the client is ready, within the
 * call's deadline), connection attempts bounded, reconnection forever at most a second apart.
 */
function connectionDefaults(operationTimeoutMs: number): Options {
  return {
    disableOfflineQueue: true,
    socket: {
      connectTimeout: Math.min(MAX_CONNECT_TIMEOUT_MS, operationTimeoutMs),
      reconnectStrategy: (retries: number) => Math.min(50 * 2 ** Math.min(retries, 10), MAX_RECONNECT_DELAY_MS),
    },
  };
}

/** `{ socket }` options merged one level deep, so that a caller's `socket.tls` keeps the defaults' timeouts. */
function merge(defaults: Options, given: Options): Options {
  return { ...defaults, ...given, socket: { ...(defaults.socket as Options), ...(given.socket as Options) } };
}

function rootNode(address: NodeAddress): Options {
  if (typeof address === 'number') return { socket: { host: '127.0.0.1', port: address } };
  if (typeof address === 'string') {
    const at = address.lastIndexOf(':');
    return { socket: { host: address.slice(0, at), port: Number(address.slice(at + 1)) } };
  }
  return { socket: { host: address.host ?? '127.0.0.1', port: address.port ?? 6379 } };
}

/** Makes the node-redis client described by `url`, `sentinel` or `cluster`, and starts connecting it. */
export function createOwnNodeRedis(
  redis: NodeRedis,
  source: OwnClientSource,
  operationTimeoutMs: number,
): { driver: NodeRedisDriver; stop(): void } {
  const defaults = connectionDefaults(operationTimeoutMs);
  const clientOptions = source.clientOptions as Options;
  let client: NodeRedisAny;
  let topology: 'standalone' | 'cluster' | 'sentinel';
  switch (source.kind) {
    case 'url':
      client = redis.createClient(merge(defaults, { url: source.url, ...clientOptions })) as unknown as NodeRedisAny;
      topology = 'standalone';
      break;
    case 'sentinel':
      client = redis.createSentinel({
        name: source.name,
        sentinelRootNodes: source.sentinels.map(({ host, port }) => ({
          host: host ?? '127.0.0.1',
          port: port ?? 26379,
        })),
        nodeClientOptions: merge(defaults, clientOptions),
        sentinelClientOptions: merge(defaults, {}),
      } as never) as unknown as NodeRedisAny;
      topology = 'sentinel';
      break;
    case 'cluster':
      client = redis.createCluster({
        rootNodes: source.nodes.map(rootNode),
        ...source.clusterOptions,
        defaults: merge(defaults, { ...clientOptions, ...(source.clusterOptions.defaults as Options) }),
      } as never) as unknown as NodeRedisAny;
      topology = 'cluster';
      break;
  }
  // Failures reach the caller of each store method; without a listener node-redis would
  // throw every reconnection error of an outage as an unhandled 'error' event.
  client.on('error', () => {});
  return { driver: new NodeRedisDriver(client, topology), stop: keepConnecting(client) };
}

/**
 * Connects, and connects again while the client is not open: a node-redis Cluster or Sentinel
 * client whose first connection fails gives up (a standalone one keeps retrying by itself).
 * Returns the function that stops trying.
 */
function keepConnecting(client: NodeRedisAny): () => void {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const attempt = () => {
    if (stopped || client.isOpen) return;
    (client as unknown as { connect(): Promise<unknown> }).connect().catch(() => {
      if (stopped) return;
      timer = setTimeout(attempt, MAX_RECONNECT_DELAY_MS);
      timer.unref();
    });
  };
  attempt();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
