export { MongoStore, MAX_DOCUMENT_BYTES, type SessionDocument } from './mongo-store';
export { type AutoRemove, DEFAULT_TTL_SECONDS, type MongoStoreOptions } from './options';
export { decodeKey, encodeKey, LONE_SURROGATE_SUBTYPE } from './bson-session';
export { MongoStoreWarning, MongoStoreWarningCode } from './warning';
export { MongoStore as default } from './mongo-store';
