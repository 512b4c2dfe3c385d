import type { EncryptionOptions } from './encryption';
import type { TtlOption } from './expiry';
import type { Serializer } from './serializer';
import type { UserIdOf } from './sessions-by-user';

/** Options every store accepts, beside its backend's own. */
export interface BaseStoreOptions {
  /**
   * Seconds. A number is the lifetime of sessions whose cookie has no expiry (the cookie's own
   * `expires` always wins); a function `(session, sid) => seconds` decides every session's
   * lifetime. Default: the store's own (one day for most; 14 days for MongoStore, as connect-mongo).
   */
  ttl?: TtlOption;
  /** How sessions become text. Default: JSON. */
  serializer?: Serializer;
  /** Encrypt sessions at rest with AES-256-GCM. Default: off. */
  encryption?: EncryptionOptions;
  /** Make `touch` a no-op (sessions then expire at the expiry they were last saved with). Default false. */
  disableTouch?: boolean;
  /**
   * Seconds: skip a `touch` when this store wrote or read the session's expiry less than this
   * long ago, trading expiry precision for fewer writes. Default 0 (every touch writes).
   */
  touchAfter?: number;
  /**
   * Every call ends within this many ms, with an `ERR_SESSION_STORE_TIMEOUT` error if the
   * backend has not answered (a request never hangs on a dead server). Default 5000.
   */
  operationTimeoutMs?: number;
  /**
   * The user a session belongs to, e.g. `(session) => session.userId`; null or undefined for a
   * session without one. When given, the store keeps an index from each user to their live
   * sessions, updated with every `set` and `destroy`, and has `userSessions(userId)`,
   * `countUserSessions(userId)` and `destroyUserSessions(userId, { except })`; stores whose
   * backend cannot keep such an index refuse it. Default: none (those methods are absent).
   */
  userId?: UserIdOf;
}

export const DEFAULT_OPERATION_TIMEOUT_MS = 5000;
export const ONE_DAY_SECONDS = 86_400;
/** Records fetched per page by all(), ids(), length() and iterate(), for stores with a `pageSize` option. */
export const DEFAULT_PAGE_SIZE = 100;
/** Records deleted per statement by a prune, so that a large backlog never holds a long lock. */
export const DEFAULT_PRUNE_BATCH_SIZE = 1000;
/** Seconds between two background prunes, for stores that prune on a timer. */
export const DEFAULT_PRUNE_INTERVAL_SECONDS = 900;
/** setTimeout's longest delay (2^31 - 1 ms), in whole seconds: a longer one would fire at once. */
export const MAX_TIMER_SECONDS = 2_147_483;
