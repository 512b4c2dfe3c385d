import { holdsSecret, sanitizeCause, scrub } from './sanitize';

/**
 * Stable error codes. Apps can branch on `err.code`; messages are for people and may change.
 * None of them is `ENOENT`: express-session reads that code as "session not found", and a
 * store failure must never pass for a missing session (CONTRACT clause 35).
 */
export const StoreErrorCode = {
  /** The backend (server, driver, file) failed; the driver's error is the `cause`. */
  backend: 'ERR_SESSION_STORE_BACKEND',
  /** The operation did not finish within `operationTimeoutMs`. */
  timeout: 'ERR_SESSION_STORE_TIMEOUT',
  /** An argument was not what the method accepts (sid not a string, session not an object). */
  invalidArgument: 'ERR_SESSION_STORE_INVALID_ARGUMENT',
  /** The session could not be serialized (circular structure, BigInt, a throwing toJSON). */
  serialize: 'ERR_SESSION_STORE_SERIALIZE',
  /** The serialized session is larger than the backend accepts. */
  tooLarge: 'ERR_SESSION_STORE_TOO_LARGE',
  /** The store was closed. */
  closed: 'ERR_SESSION_STORE_CLOSED',
} as const;

export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export interface StoreErrorDetails {
  /** The store class, e.g. `RedisStore`. */
  store: string;
  /** The public method that failed, e.g. `get`. */
  operation: string;
  code: StoreErrorCode;
  /** What went wrong, without the store and operation (they are prefixed). */
  reason: string;
  cause?: unknown;
  /**
   * Strings the error must not carry (the sid of the call): scrubbed from the reason and from
   * the cause's message and stack. Not kept on the error.
   */
  secrets?: readonly string[];
}

/**
 * The one error type every store reports. Its message starts with `Store.operation failed:`.
 * It never carries a sid or session contents (clause 66): its cause is a copy of the driver's
 * error with only its name, message, stack and codes (see sanitizeCause).
 */
export class SessionStoreError extends Error {
  readonly code: StoreErrorCode;
  readonly store: string;
  readonly operation: string;

  constructor(details: StoreErrorDetails) {
    const secrets = details.secrets ?? [];
    const cause =
      details.cause === undefined || details.cause instanceof SessionStoreError
        ? details.cause
        : sanitizeCause(details.cause, secrets);
    super(`${details.store}.${details.operation} failed: ${scrub(details.reason, secrets)}`, { cause });
    this.name = 'SessionStoreError';
    this.code = details.code;
    this.store = details.store;
    this.operation = details.operation;
  }
}

export function describeCause(cause: unknown): string {
  if (cause instanceof Error) return cause.message || cause.name;
  return String(cause);
}

/**
 * Wraps whatever an operation threw into a SessionStoreError for that store and operation.
 * A SessionStoreError thrown deeper (validation, serialization) passes through with its code;
 * anything else is a backend failure, kept as `cause`.
 */
export function toStoreError(
  store: string,
  operation: string,
  cause: unknown,
  secrets: readonly string[] = [],
): SessionStoreError {
  if (cause instanceof SessionStoreError) {
    if (cause.store === store && cause.operation === operation && !holdsSecret(cause.message, secrets)) return cause;
    return new SessionStoreError({
      store,
      operation,
      code: cause.code,
      reason: describeCause(cause).replace(/^\S+ failed: /, ''),
      cause: cause.cause ?? cause,
      secrets,
    });
  }
  return new SessionStoreError({
    store,
    operation,
    code: StoreErrorCode.backend,
    reason: describeCause(cause),
    cause,
    secrets,
  });
}

/** A SessionStoreError raised by our own checks, before or around the backend call. */
export function storeError(
  store: string,
  operation: string,
  code: StoreErrorCode,
  reason: string,
  cause?: unknown,
): SessionStoreError {
  return new SessionStoreError({ store, operation, code, reason, cause });
}
