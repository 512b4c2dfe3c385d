import { SessionStoreError } from './errors';
import { emitSafely } from './safe-emit';
import { sanitizeCause } from './sanitize';

/**
 * Codes of the `warning` events every store may emit. A store adds its own codes (for instance
 * MongoStore's `ERR_MONGO_STORE_TTL_INDEX_REFUSED`); these are the ones the core emits itself.
 */
export const SessionStoreWarningCode = {
  /** A background prune (the store's own timer) failed; the next run tries again. */
  pruneFailed: 'ERR_SESSION_STORE_PRUNE_FAILED',
  /** At construction: `encryption.acceptPlaintext` is on, or a weak secret is kept to decrypt old sessions. */
  weakEncryption: 'ERR_SESSION_STORE_WEAK_ENCRYPTION',
  /** An encrypted session's stored expiry was later than the one sealed with it; the sealed one was used. */
  expiryMismatch: 'ERR_SESSION_STORE_EXPIRY_MISMATCH',
} as const;

export type SessionStoreWarningCode = (typeof SessionStoreWarningCode)[keyof typeof SessionStoreWarningCode];

/**
 * What a `warning` event carries: a failure of something the store does on its own (a timer, a
 * monitor), which no caller is waiting for and which breaks no call. Stores never emit `error`
 * for these: express-session does not listen for it, and an unheard `error` ends the process.
 */
export class SessionStoreWarning extends Error {
  /** A stable code to branch on (`ERR_SESSION_STORE_PRUNE_FAILED`, or a store's own). */
  readonly code: string;
  /** The store class, e.g. `PostgresStore`. */
  readonly store: string;

  constructor(store: string, code: string, message: string, cause?: unknown) {
    // The cause is kept as a copy without what the driver attached (see sanitizeCause): a
    // warning is logged, and must not write sids or session contents.
    super(
      message.startsWith(`${store}:`) ? message : `${store}: ${message}`,
      cause === undefined ? {} : { cause: cause instanceof SessionStoreError ? cause : sanitizeCause(cause) },
    );
    this.name = 'SessionStoreWarning';
    this.code = code;
    this.store = store;
  }
}

interface Emitter {
  emit(event: string, ...args: unknown[]): boolean;
}

/**
 * Emits `event` on a later tick, so that it never runs inside the failing operation's stack and
 * never throws into it. A listener that throws does not end the process either (see emitSafely).
 */
export function emitInBackground(emitter: Emitter, store: string, event: string, ...args: unknown[]): void {
  process.nextTick(() => emitSafely(emitter, store, event, ...args));
}
