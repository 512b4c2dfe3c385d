import type { BaseStoreOptions } from '@session-stores/core';
import { validate } from '@session-stores/core';
import type { Cluster, ClusterNode, ClusterOptions, Redis, RedisOptions, SentinelAddress } from 'ioredis';

const STORE = 'RedisStore';

/** An ioredis client: a standalone (or Sentinel-managed) `Redis`, or a `Cluster`. */
export type RedisClient = Redis | Cluster;

/**
 * Options of {@link RedisStore}. Give exactly one of `client`, `url`, `cluster` or `sentinel`.
 * The names shared with connect-redis (`client`, `prefix`, `ttl`, `scanCount`, `serializer`,
 * `disableTouch`, `disableTTL`) mean what they mean there.
 */
export interface RedisStoreOptions extends BaseStoreOptions {
  /**
   * An ioredis `Redis` or `Cluster` client that you made. The store never closes it. See the
   * README ("Your own client") for the client settings that matter (timeouts, offline queue,
   * `scaleReads`).
   */
  client?: RedisClient;
  /** A `redis://` or `rediss://` URL: the store makes its own client, with fail-fast timeouts, and closes it in `close()`. */
  url?: string;
  /** Makes the store's own Cluster client from these seed nodes. */
  cluster?: {
    nodes: ClusterNode[];
    /** Passed to `new Cluster(nodes, options)`, over the store's own defaults. */
    options?: ClusterOptions;
  };
  /** Makes the store's own client that finds the master through Sentinel. */
  sentinel?: {
    sentinels: Array<Partial<SentinelAddress>>;
    /** The master group name the sentinels monitor (`sentinel monitor <name> ...`). */
    name: string;
  };
  /** ioredis options for the client the store makes from `url` or `sentinel` (or each node of `cluster`), over the store's defaults. */
  clientOptions?: RedisOptions;
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
export type ClientSource =
  | { kind: 'client'; client: RedisClient }
  | { kind: 'url'; url: string; clientOptions: RedisOptions }
  | { kind: 'sentinel'; sentinels: Array<Partial<SentinelAddress>>; name: string; clientOptions: RedisOptions }
  | { kind: 'cluster'; nodes: ClusterNode[]; clusterOptions: ClusterOptions; clientOptions: RedisOptions };

export interface ResolvedRedisOptions {
  source: ClientSource;
  prefix: string;
  scanCount: number;
  disableTTL: boolean;
}

export const DEFAULT_PREFIX = 'sess:';
export const DEFAULT_SCAN_COUNT = 100;
export const DEFAULT_TTL_SECONDS = 86_400;

/** Validates the Redis-specific options (the base validates the shared ones); throws a TypeError naming the option. */
export function resolveRedisOptions(raw: RedisStoreOptions | undefined): ResolvedRedisOptions {
  const options = validate.checkOptionsObject(STORE, raw);
  const way = validate.exactlyOne(STORE, options, ['client', 'url', 'cluster', 'sentinel']);
  const clientOptions = validate.optionalObject(STORE, 'clientOptions', options.clientOptions) ?? {};
  if (way === 'client' && options.clientOptions !== undefined) {
    throw new TypeError(
      `${STORE}: option "clientOptions" applies only with "url", "sentinel" or "cluster"; configure your own client directly`,
    );
  }
  return {
    source: resolveSource(way, options, clientOptions as RedisOptions),
    prefix: validate.optionalString(STORE, 'prefix', options.prefix) ?? DEFAULT_PREFIX,
    scanCount:
      validate.optionalNumber(STORE, 'scanCount', options.scanCount, { min: 1, max: 1_000_000, integer: true }) ??
      DEFAULT_SCAN_COUNT,
    disableTTL: validate.optionalBoolean(STORE, 'disableTTL', options.disableTTL) ?? false,
  };
}

function resolveSource(way: string, options: Record<string, unknown>, clientOptions: RedisOptions): ClientSource {
  switch (way) {
    case 'client':
      return { kind: 'client', client: checkClient(options.client) };
    case 'url': {
      const url = options.url;
      if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
        throw new TypeError(
          `${STORE}: option "url" must be a redis:// or rediss:// URL string, got ${validate.describeValue(url)}`,
        );
      }
      return { kind: 'url', url, clientOptions };
    }
    case 'sentinel': {
      const sentinel = validate.optionalObject(STORE, 'sentinel', options.sentinel)!;
      const sentinels = sentinel.sentinels;
      if (!Array.isArray(sentinels) || sentinels.length === 0 || !sentinels.every(validate.isPlainObject)) {
        throw new TypeError(
          `${STORE}: option "sentinel.sentinels" must be a non-empty array of { host, port }, got ${validate.describeValue(sentinels)}`,
        );
      }
      if (typeof sentinel.name !== 'string' || sentinel.name.length === 0) {
        throw new TypeError(
          `${STORE}: option "sentinel.name" must be the master group name (a non-empty string), got ${validate.describeValue(sentinel.name)}`,
        );
      }
      return {
        kind: 'sentinel',
        sentinels: sentinels as Array<Partial<SentinelAddress>>,
        name: sentinel.name,
        clientOptions,
      };
    }
    default: {
      const cluster = validate.optionalObject(STORE, 'cluster', options.cluster)!;
      const nodes = cluster.nodes;
      if (
        !Array.isArray(nodes) ||
        nodes.length === 0 ||
        !nodes.every((node) => typeof node === 'string' || typeof node === 'number' || validate.isPlainObject(node))
      ) {
        throw new TypeError(
          `${STORE}: option "cluster.nodes" must be a non-empty array of "host:port" strings or { host, port }, got ${validate.describeValue(nodes)}`,
        );
      }
      const clusterOptions = validate.optionalObject(STORE, 'cluster.options', cluster.options) ?? {};
      return {
        kind: 'cluster',
        nodes: nodes as ClusterNode[],
        clusterOptions: clusterOptions as ClusterOptions,
        clientOptions,
      };
    }
  }
}

/**
 * Accepts ioredis clients only. Users coming from connect-redis often pass their node-redis
 * client: say so plainly instead of failing later on a missing method.
 */
function checkClient(client: unknown): RedisClient {
  if (!validate.isPlainObject(client))
    throw new TypeError(
      `${STORE}: option "client" must be an ioredis Redis or Cluster client, got ${validate.describeValue(client)}`,
    );
  const candidate = client as Record<string, unknown>;
  if (typeof candidate.mGet === 'function' || typeof candidate.scanIterator === 'function') {
    throw new TypeError(
      `${STORE}: option "client" must be an ioredis Redis or Cluster client; this looks like a node-redis client (the "redis" package), which RedisStore does not accept (see "Migrating from connect-redis" in the README)`,
    );
  }
  if (
    typeof candidate.multi !== 'function' ||
    typeof candidate.on !== 'function' ||
    typeof candidate.status !== 'string'
  ) {
    throw new TypeError(
      `${STORE}: option "client" must be an ioredis Redis or Cluster client, got an object without multi(), on() and status`,
    );
  }
  return client as unknown as RedisClient;
}
