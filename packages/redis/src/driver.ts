/** The Redis client libraries the store speaks to. */
export type DriverName = 'ioredis' | 'node-redis';

/** PEXPIRETIME (Redis 7.0+) reads the absolute expiry; PTTL the time left, on older servers. */
export type ExpiryCommand = 'PEXPIRETIME' | 'PTTL';

export interface ConnectionListener {
  up(): void;
  down(): void;
}

/**
 * What the store needs from a Redis client, whichever library made it. One implementation per
 * library (ioredis-driver.ts, node-redis-driver.ts), each wrapping the client as given: nothing
 * is defined on the client, and neither file loads its library (the client passed in, or
 * own-client.ts, did), so a user of one library never loads the other.
 */
export interface RedisDriver {
  readonly name: DriverName;
  /** The client as given or made. */
  readonly client: object;
  readonly isCluster: boolean;
  /**
   * True when commands sent in one tick go out on one connection, so Redis runs them in the
   * order sent (a standalone server, or ioredis's Sentinel-managed client). Not on a Cluster
   * (each key's node has its own connection) nor on a node-redis Sentinel client (a pool).
   */
  readonly runsInOrderSent: boolean;
  /**
   * Whether one session is read with a script (one command) rather than GET and PEXPIRETIME
   * sent together: whichever measured cheaper on this library (see record-reader.ts).
   */
  readonly readsWithScript: boolean;
  /** The client's own key prefix (ioredis `keyPrefix`): added to keys we send, not to SCAN patterns or the keys SCAN returns. */
  readonly keyPrefix: string;
  /** True when a command sent now goes out at once (not into a client's offline queue). */
  isReady(): boolean;
  /** Why the client can never become ready (ended, or never opened), or null. Starts a lazy client connecting. */
  unusable(): string | null;
  /**
   * A value and its key's expiry (PEXPIRETIME: epoch ms, or PTTL: ms left; -1 none, -2 no
   * key), both commands sent at once: one round trip.
   */
  readWithExpiry(key: string, expiryCommand: ExpiryCommand): Promise<[value: string | null, expiry: number]>;
  /** SET, with `PXAT at` when `at` is a number. */
  set(key: string, value: string, at: number | null): Promise<void>;
  /** PEXPIREAT: 1 when the key exists. */
  expireAt(key: string, at: number): Promise<number>;
  /** UNLINK of keys that are all in one slot on a Cluster (or one key). */
  unlink(keys: readonly string[]): Promise<void>;
  evalsha(sha1: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  eval(source: string, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown>;
  /** SCAN pages (`MATCH pattern COUNT count TYPE string`) of every master, as full key names. */
  scanPages(pattern: string, count: number): AsyncGenerator<string[]>;
  /** Follows the client's connection state; returns a function that stops following. */
  follow(listener: ConnectionListener): () => void;
  /** Closes a client the store made, politely when Redis answers, at once when it does not. */
  close(waitMs: number): Promise<void>;
}

/** `promise`, or undefined once `ms` have passed. */
export async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
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
