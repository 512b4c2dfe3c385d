export { deliver, type Callback } from './callbacks';
export type { StoreCapabilities } from './capabilities';
export { SessionCipher, type EncryptionOptions, type EncryptionSecret } from './encryption';
export { weakPassphraseReason } from './encryption-keys';
export {
  SessionStoreError,
  StoreErrorCode,
  storeError,
  toStoreError,
  describeCause,
  type StoreErrorDetails,
} from './errors';
export {
  cookieExpiresAt,
  isExpired,
  MAX_EXPIRES_AT,
  remainingLifetime,
  resolveExpiresAt,
  type TtlOption,
} from './expiry';
export {
  DEFAULT_OPERATION_TIMEOUT_MS,
  DEFAULT_PAGE_SIZE,
  DEFAULT_PRUNE_BATCH_SIZE,
  DEFAULT_PRUNE_INTERVAL_SECONDS,
  MAX_TIMER_SECONDS,
  ONE_DAY_SECONDS,
  type BaseStoreOptions,
} from './options';
export type { RecordInspection } from './inspection';
export { isSessionObject, jsonSerializer, type Serializer } from './serializer';
export {
  SessionStoreBase,
  type DecodeErrorEvent,
  type SessionEntry,
  type SessionWithId,
  type StoreDescription,
  type StoredEntry,
  type StoredRecord,
} from './session-store-base';
export { type DestroyUserSessionsOptions, type UserIdOf } from './sessions-by-user';
export { withDeadline } from './timeout';
export * as validate from './validate';
export { keysetPages } from './paging';
export { NAMESPACE_SEPARATOR, namespacePrefixProblem, namespacedSidProblem, sidInNamespace } from './namespace';
export { PruneTimer } from './prune-timer';
export { SessionStoreWarning, SessionStoreWarningCode } from './warning';
export { callHookSafely, emitSafely, LISTENER_THREW_CODE, reportUserCodeThrew } from './safe-emit';
export { sanitizeCause } from './sanitize';
export { cookieSignature, KnownCookies, storedCookieSignature, touchedCookieSignature } from './known-cookies';
