import type { SessionData, Store } from 'express-session';

/**
 * What a store says about itself. The suite reads this manifest (from `store.capabilities`,
 * optionally overridden in {@link ConformanceOptions.capabilities}) to decide which clause
 * groups run; a group that does not run is reported as skipped with the reason.
 */
export interface StoreCapabilities {
  /** `touch(sid, session, cb)` exists and extends the expiry. */
  touch: boolean;
  /** `all(cb)` exists: every live session, as an array of sessions carrying their sid in `id`. */
  all: boolean;
  /** `ids(cb)` exists: the sids of every live session. */
  ids: boolean;
  /** `length(cb)` exists: the number of live sessions. */
  length: boolean;
  /** `clear(cb)` exists: removes every session of this store's namespace. */
  clear: boolean;
  /** `iterate()` exists: an async iterable of `{ sid, session }` over live sessions, paged. */
  iterate: boolean;
  /** Smallest unit of expiry the backend honours, in milliseconds (1 for ms, 1000 for memcached). */
  ttlGranularityMs: number;
  /** Largest serialized session the store accepts, in bytes; null when unbounded by the store. */
  maxSessionBytes: number | null;
  /** Data survives a restart of the backend server. */
  persistent: boolean;
  /** Lifetime of a session whose cookie has no expiry (browser-session cookie), in ms. */
  defaultTtlMs?: number;
  /**
   * `userSessions(userId, cb)`, `countUserSessions(userId, cb)` and
   * `destroyUserSessions(userId, { except }, cb)` exist: the store keeps sessions by user
   * (clauses 57-62). Default: whether the store has `userSessions`.
   */
  sessionsByUser?: boolean;
}

/** A store under test: an express-session Store, possibly with the optional extras. */
export type StoreUnderTest = Store & {
  capabilities?: Partial<StoreCapabilities>;
  ids?: (cb?: (err: unknown, ids?: string[]) => void) => unknown;
  iterate?: () => AsyncIterable<{ sid: string; session: object }>;
  close?: () => unknown;
  /** Clauses 57-62; typed loosely so that every store's own overloads fit. */
  userSessions?: (...args: never[]) => unknown;
  countUserSessions?: (...args: never[]) => unknown;
  destroyUserSessions?: (...args: never[]) => unknown;
};

export interface StoreContext {
  /**
   * The namespace the store must use (a key prefix, a table or a collection name). Stores made
   * with the same namespace must share their sessions (two app instances on one backend);
   * stores with different namespaces must not see each other's (clause 26).
   * Only `[a-z0-9_]` characters, starting with a letter, at most 40 characters.
   */
  namespace: string;
  /**
   * The user of a session as the suite's sessions carry it (`session.userId`), for stores that
   * keep sessions by user: give it to the store as its own option (our stores' `userId`). A
   * store that ignores it simply does not declare `sessionsByUser`, and clauses 57-62 are skipped.
   */
  userId: (session: SessionData) => string | undefined;
}

/**
 * Optional hooks that read or write the backend directly, bypassing the store. `S` is the
 * store's own type, so a hook reaches the store's table, prefix or client without a cast.
 */
export interface Inspector<S extends StoreUnderTest = StoreUnderTest> {
  /** Remaining lifetime of the stored record in ms as the backend sees it, or null when absent. */
  rawTtlMs?(store: S, sid: string): Promise<number | null>;
  /** The raw stored value (string, object or Buffer), or null/undefined when absent. */
  rawValue?(store: S, sid: string): Promise<unknown>;
  /** Overwrite the stored value of `sid` with corrupt data, as the backend would hold it (clause 36). */
  writeCorrupt?(store: S, sid: string, kind: 'not-json' | 'wrong-shape'): Promise<void>;
}

/** Hooks that stop and start the backend under the store, for the fault clauses (32, 37). */
export interface FaultInjector {
  stopBackend(): Promise<void>;
  startBackend(): Promise<void>;
}

/**
 * What runConformance takes. `S` is inferred from `createStore`, and the hooks that receive a
 * store (closeStore, inspect) receive that type.
 */
export interface ConformanceOptions<S extends StoreUnderTest = StoreUnderTest> {
  /** Shown in the report: `conformance: <name>`. */
  name: string;
  /** Makes a fresh store for the given namespace. Called many times; each store is closed after its test. */
  createStore(context: StoreContext): S | Promise<S>;
  /** Closes a store made by createStore. Default: `store.close?.()`. */
  closeStore?(store: S): unknown;
  /** Overrides or completes the store's own `capabilities` manifest. */
  capabilities?: Partial<StoreCapabilities>;
  /**
   * Sids the store refuses by design: its `set` fails with `ERR_SESSION_STORE_INVALID_ARGUMENT`
   * and its `get` misses. For instance sids holding `":"` on a key-prefix backend whose prefixes
   * are namespaces (see the core's namespace.ts). The cases built on odd sids leave them out,
   * and one case (clause 9) checks that they are refused that way. Default: none.
   */
  refusedSids?(sid: string): boolean;
  inspect?: Inspector<S>;
  faults?: FaultInjector;
  /** The bound within which every call must end while the backend is down (clause 32). Default 5000 ms. */
  faultTimeoutMs?: number;
  /**
   * How long one call may take with the backend up before the suite fails the test as hanging,
   * instead of letting the whole run hang. It is a deadlock detector, not a performance goal.
   * Default 10 000 ms.
   */
  callTimeoutMs?: number;
  /**
   * How long the suite waits, after `faults.startBackend()`, for the same store instance to
   * work again and to emit `connect` after a `disconnect` (clause 37). Default 60 000 ms.
   */
  recoveryTimeoutMs?: number;
}

/** The manifest after defaults: what the suite decides from. */
export interface ResolvedCapabilities extends Omit<StoreCapabilities, 'defaultTtlMs' | 'sessionsByUser'> {
  defaultTtlMs: number | null;
  sessionsByUser: boolean;
}
