import type { BaseStoreOptions } from '@session-stores/core';
import { namespacePrefixProblem, validate } from '@session-stores/core';
import type { DriverName, RedisDriver } from './driver';
import { IoredisDriver, isIoredisClient, type IoredisClient, type IoredisLike } from './ioredis-driver';
import { NodeRedisDriver, nodeRedisTopology, type NodeRedisAny } from './node-redis-driver';
import type { NodeAddress, OwnClientSource } from './own-client-source';

export const STORE_NAME = 'RedisStore';

/**
 * A client the store accepts: ioredis (`Redis`, `Cluster`, a Sentinel-managed `Redis`) or
 * node-redis v5 (`createClient()`, `createCluster()`, `createSentinel()`).
 */
export type RedisClient = IoredisLike | NodeRedisAny;

/**
 * Options of {@link RedisStore}. Give exactly one of `client`, `url`, `cluster` or `sentinel`.
 * The names shared with connect-redis (`client`, `prefix`, `ttl`, `scanCount`, `serializer`,
 * `disableTouch`, `disableTTL`) mean what they mean there.
 */
export interface RedisStoreOptions extends BaseStoreOptions {
  /**
   * A client that you made and connected: ioredis (`Redis`, `Cluster`) or node-redis v5
   * (`createClient()`, `createCluster()`, `createSentinel()`), as connect-redis takes. The store
   * never closes it. See the README ("Your own client") for the client settings that matter.
   */
  client?: RedisClient | object;
  /**
   * The library of the client the store makes from `url`, `cluster` or `sentinel`:
   * `'node-redis'` (the `redis` package, the default) or `'ioredis'`. Install the one you choose.
   */
  driver?: DriverName;
  /** A `redis://` or `rediss://` URL: the store makes its own client, with fail-fast timeouts, and closes it in `close()`. */
  url?: string;
  /** Makes the store's own Cluster client from these seed nodes. */
  cluster?: {
    /** `"host:port"`, a port, or `{ host, port }`. */
    nodes: NodeAddress[];
    /** Passed to `new Cluster(nodes, options)` (ioredis) or `createCluster(options)` (node-redis), over the store's own defaults. */
    options?: object;
  };
  /** Makes the store's own client that finds the master through Sentinel. */
  sentinel?: {
    sentinels: Array<{ host?: string; port?: number }>;
    /** The master group name the sentinels monitor (`sentinel monitor <name> ...`). */
    name: string;
  };
  /**
   * Options of the client the store makes from `url` or `sentinel` (or of each node of
   * `cluster`), over the store's defaults: ioredis `RedisOptions`, or node-redis
   * `createClient` options, as `driver` says.
   */
  clientOptions?: object;
  /** Prepended to every sid to make the Redis key. Default `"sess:"` (as connect-redis). */
  prefix?: string;
  /** The `COUNT` hint of each `SCAN` in `all`, `ids`, `length`, `clear` and `iterate`. Default 100. */
  scanCount?: number;
  /**
   * Write keys without a Redis expiry (as connect-redis's option). Expiry is then enforced when
   * reading, from the stored `cookie.expires`, and expired keys stay in Redis until you delete
   * them. Default false.
   */
  disableTTL?: boolean;
}

/** How the store reaches Redis, resolved from the options. */
export type ClientSource = { kind: 'client'; driver: RedisDriver } | OwnClientSource;

export interface ResolvedRedisOptions {
  source: ClientSource;
  /** The library of the store's own client (unused with `client`). */
  driver: DriverName;
  prefix: string;
  scanCount: number;
  disableTTL: boolean;
}

export const DEFAULT_PREFIX = 'sess:';
export const DEFAULT_SCAN_COUNT = 100;
export const DEFAULT_TTL_SECONDS = 86_400;
/** The library of the store's own client: the faster one in the benchmark (see the README). */
export const DEFAULT_DRIVER: DriverName = 'node-redis';
const DRIVERS: readonly DriverName[] = ['node-redis', 'ioredis'];

/** Validates the Redis-specific options (the base validates the shared ones); throws a TypeError naming the option. */
export function resolveOptions(raw: RedisStoreOptions | undefined): ResolvedRedisOptions {
  const options = validate.checkOptionsObject(STORE_NAME, raw);
  const way = validate.exactlyOne(STORE_NAME, options, ['client', 'url', 'cluster', 'sentinel']);
  const clientOptions = validate.optionalObject(STORE_NAME, 'clientOptions', options.clientOptions) ?? {};
  for (const name of ['clientOptions', 'driver'])
    if (way === 'client' && options[name] !== undefined) {
      throw new TypeError(
        `${STORE_NAME}: option "${name}" applies only with "url", "sentinel" or "cluster"; configure your own client directly`,
      );
    }
  const driver = options.driver ?? DEFAULT_DRIVER;
  if (!DRIVERS.includes(driver as DriverName)) {
    throw new TypeError(
      `${STORE_NAME}: option "driver" must be "node-redis" or "ioredis", got ${validate.describeValue(driver)}`,
    );
  }
  const prefix = validate.optionalString(STORE_NAME, 'prefix', options.prefix) ?? DEFAULT_PREFIX;
  // A prefix is a namespace: stores whose prefixes nest never list or clear each other's keys.
  const prefixProblem = namespacePrefixProblem(prefix);
  if (prefixProblem !== null) throw new TypeError(`${STORE_NAME}: option "prefix" ${prefixProblem}`);
  return {
    source: resolveSource(way, options, clientOptions),
    driver: driver as DriverName,
    prefix,
    scanCount:
      validate.optionalNumber(STORE_NAME, 'scanCount', options.scanCount, { min: 1, max: 1_000_000, integer: true }) ??
      DEFAULT_SCAN_COUNT,
    disableTTL: validate.optionalBoolean(STORE_NAME, 'disableTTL', options.disableTTL) ?? false,
  };
}

function resolveSource(way: string, options: Record<string, unknown>, clientOptions: object): ClientSource {
  switch (way) {
    case 'client':
      return { kind: 'client', driver: driverFor(options.client) };
    case 'url': {
      const url = options.url;
      if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
        throw new TypeError(
          `${STORE_NAME}: option "url" must be a redis:// or rediss:// URL string, got ${validate.describeValue(url)}`,
        );
      }
      return { kind: 'url', url, clientOptions };
    }
    case 'sentinel': {
      const sentinel = validate.optionalObject(STORE_NAME, 'sentinel', options.sentinel)!;
      const sentinels = sentinel.sentinels;
      if (!Array.isArray(sentinels) || sentinels.length === 0 || !sentinels.every(validate.isPlainObject)) {
        throw new TypeError(
          `${STORE_NAME}: option "sentinel.sentinels" must be a non-empty array of { host, port }, got ${validate.describeValue(sentinels)}`,
        );
      }
      if (typeof sentinel.name !== 'string' || sentinel.name.length === 0) {
        throw new TypeError(
          `${STORE_NAME}: option "sentinel.name" must be the master group name (a non-empty string), got ${validate.describeValue(sentinel.name)}`,
        );
      }
      return {
        kind: 'sentinel',
        sentinels: sentinels as Array<{ host?: string; port?: number }>,
        name: sentinel.name,
        clientOptions,
      };
    }
    default: {
      const cluster = validate.optionalObject(STORE_NAME, 'cluster', options.cluster)!;
      const nodes = cluster.nodes;
      if (
        !Array.isArray(nodes) ||
        nodes.length === 0 ||
        !nodes.every((node) => typeof node === 'string' || typeof node === 'number' || validate.isPlainObject(node))
      ) {
        throw new TypeError(
          `${STORE_NAME}: option "cluster.nodes" must be a non-empty array of "host:port" strings or { host, port }, got ${validate.describeValue(nodes)}`,
        );
      }
      const clusterOptions = validate.optionalObject(STORE_NAME, 'cluster.options', cluster.options) ?? {};
      return {
        kind: 'cluster',
        nodes: nodes as NodeAddress[],
        clusterOptions,
        clientOptions,
      };
    }
  }
}

/** The driver of a client of either library; anything else is refused, naming what is accepted. */
function driverFor(client: unknown): RedisDriver {
  const accepted =
    'an ioredis Redis or Cluster client, or a node-redis v5 createClient(), createCluster() or createSentinel() client';
  if (!validate.isPlainObject(client))
    throw new TypeError(`${STORE_NAME}: option "client" must be ${accepted}, got ${validate.describeValue(client)}`);
  const candidate = client as Record<string, unknown>;
  const topology = nodeRedisTopology(candidate);
  if (topology !== null) return new NodeRedisDriver(client as unknown as NodeRedisAny, topology);
  if (isIoredisClient(candidate)) return new IoredisDriver(client as unknown as IoredisClient);
  throw new TypeError(`${STORE_NAME}: option "client" must be ${accepted}; got an object that is neither`);
}
