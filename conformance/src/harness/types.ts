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
