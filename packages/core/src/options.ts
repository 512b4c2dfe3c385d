import type { EncryptionOptions } from './encryption';
import type { TtlOption } from './expiry';
import type { Serializer } from './serializer';

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
}

export const DEFAULT_OPERATION_TIMEOUT_MS = 5000;
export const ONE_DAY_SECONDS = 86_400;
