/** Codes of the `warning` events a MongoStore emits. */
export const MongoStoreWarningCode = {
  /** `autoRemove: "native"` could not create the TTL index; the store now prunes on a timer. */
  ttlIndexRefused: 'ERR_MONGO_STORE_TTL_INDEX_REFUSED',
  /** The driver's server monitor of a client you gave hangs (a driver bug); calls fail until the client reconnects. */
  monitorStuck: 'ERR_MONGO_STORE_MONITOR_STUCK',
  /** A timed prune (`autoRemove: "interval"`) failed; the next interval tries again. */
  pruneFailed: 'ERR_MONGO_STORE_PRUNE_FAILED',
} as const;

export type MongoStoreWarningCode = (typeof MongoStoreWarningCode)[keyof typeof MongoStoreWarningCode];

/**
 * What a `warning` event carries: something an operator should know that breaks no call.
 * The store never emits `error` (express-session does not listen for it: it would crash the app).
 */
export class MongoStoreWarning extends Error {
  readonly code: MongoStoreWarningCode;

  constructor(code: MongoStoreWarningCode, message: string, cause?: unknown) {
    super(message, { cause });
    this.name = 'MongoStoreWarning';
    this.code = code;
  }
}
