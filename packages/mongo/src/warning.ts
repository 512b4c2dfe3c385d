import { SessionStoreWarning, SessionStoreWarningCode } from '@session-stores/core';

/** Codes of the `warning` events a MongoStore emits: its own, and the core's it shares with every store. */
export const MongoStoreWarningCode = {
  /** `autoRemove: "native"` could not create the TTL index; the store now prunes on a timer. */
  ttlIndexRefused: 'ERR_MONGO_STORE_TTL_INDEX_REFUSED',
  /** The driver's server monitor of a client you gave hangs (a driver bug); calls fail until the client reconnects. */
  monitorStuck: 'ERR_MONGO_STORE_MONITOR_STUCK',
  /** With the `userId` option, the index on `userId` could not be created; queries by user still answer, scanning. Retried on the next set. */
  userIndexFailed: 'ERR_MONGO_STORE_USER_INDEX_FAILED',
  /** A timed prune (`autoRemove: "interval"`) failed; the next interval tries again. The core's code, as on every store. */
  pruneFailed: SessionStoreWarningCode.pruneFailed,
} as const;

export type MongoStoreWarningCode = (typeof MongoStoreWarningCode)[keyof typeof MongoStoreWarningCode];

/**
 * A {@link SessionStoreWarning} of MongoStore's own (`warning` event): something an operator
 * should know that breaks no call. Prune failures come as the core's SessionStoreWarning.
 */
export class MongoStoreWarning extends SessionStoreWarning {
  declare readonly code: MongoStoreWarningCode;

  constructor(code: MongoStoreWarningCode, message: string, cause?: unknown) {
    super('MongoStore', code, message, cause);
    this.name = 'MongoStoreWarning';
  }
}
