/** Where a backend server came from. */
export type Provider = 'url' | 'container' | 'local';

export interface HostPort {
  host: string;
  port: number;
}

/**
 * A backend server started (or found) for tests. Every networked backend module in the harness
 * returns one. Only loopback addresses (127.0.0.1, ::1) are ever used.
 */
export interface BackendServer {
  readonly backend: string;
  readonly provider: Provider;
  /** A URL a driver accepts: `redis://127.0.0.1:6379`, `postgres://user@127.0.0.1:5432/db`,
   *  `mongodb://127.0.0.1:27017`, or for memcached `127.0.0.1:11211` (comma-separated when several). */
  readonly url: string;
  /** Every node of the server (several for a cluster, sentinel set or memcached pool). */
  readonly nodes: readonly HostPort[];
  /** False for the url provider: a server we did not start is never stopped. */
  readonly canRestart: boolean;
  /** Stops the server (all nodes), keeping its data and ports, so `start` brings it back. */
  stop(): Promise<void>;
  /** Starts a stopped server again on the same address; resolves when it answers. */
  start(): Promise<void>;
  /** Stops the server for good and removes its temporary files. Safe to call twice. */
  dispose(): Promise<void>;
}

/** What a server started by the harness leaves on disk and in the process table (local provider only). */
export interface LocalServerInfo {
  /** The server's own temporary directory (data, config, logs); removed by `dispose`. */
  readonly dir: string;
  /** One log file per process (stdout and stderr), inside `dir`. */
  readonly logFiles: readonly string[];
  /** The pids of the running server processes; empty while stopped. */
  pids(): number[];
}

/** The backends the harness can start, by the name tests use. */
export type BackendName =
  'redis' | 'redis-cluster' | 'redis-sentinel' | 'postgres' | 'mongo' | 'memcached' | 'memcached-pair';

/**
 * Extra facts every harness server carries. Kept apart from {@link BackendServer} so that
 * other code implementing that interface stays valid.
 */
export interface HarnessServer extends BackendServer {
  readonly backend: BackendName;
  /** Whether data written before `stop()` is there after `start()` (false for memcached). */
  readonly dataSurvivesRestart: boolean;
  /** Present for servers the local provider started. */
  readonly local?: LocalServerInfo;
}

/** A Redis Cluster of three masters (no replicas). `nodes` lists every master. */
export interface RedisClusterServer extends HarnessServer {
  readonly backend: 'redis-cluster';
}

/**
 * A Redis master, one replica and Sentinels watching them. `nodes` and `sentinels` both list
 * the Sentinels (what a client connects to); `url` is informational
 * (`redis+sentinel://host:port,host:port/<masterName>`): drivers take `sentinels` and `masterName`.
 */
export interface RedisSentinelServer extends HarnessServer {
  readonly backend: 'redis-sentinel';
  readonly sentinels: readonly HostPort[];
  readonly masterName: string;
  /** False for a server the harness did not start: it never forces a failover on someone else's servers. */
  readonly canFailover: boolean;
  /** The master as the Sentinels report it now. */
  master(): Promise<HostPort>;
  /** Forces a failover; resolves with the new master once every Sentinel reports it. */
  failover(): Promise<HostPort>;
}
