/**
 * What a store says about itself (CONTRACT.md, "Capability manifest"). The conformance suite
 * reads it to decide which clause groups run; users read it to know what they get.
 */
export interface StoreCapabilities {
  touch: boolean;
  all: boolean;
  ids: boolean;
  length: boolean;
  clear: boolean;
  /** `iterate()`: an async iterable over live sessions that pages through the backend. */
  iterate: boolean;
  /** Smallest unit of expiry the backend honours, in ms. */
  ttlGranularityMs: number;
  /** Largest serialized session accepted, in bytes; null when the store sets no limit. */
  maxSessionBytes: number | null;
  /** Sessions survive a restart of the backend server. */
  persistent: boolean;
  /**
   * `userSessions`, `countUserSessions` and `destroyUserSessions` exist: the store was made with
   * the `userId` option and keeps an index by user.
   */
  sessionsByUser: boolean;
  /** Lifetime of a session whose cookie has no expiry, in ms. */
  defaultTtlMs: number;
}
