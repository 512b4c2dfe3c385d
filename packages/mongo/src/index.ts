import { MongoStore } from './mongo-store';
import type { MongoStoreOptions } from './options';

export { MongoStore, MAX_DOCUMENT_BYTES, type SessionDocument } from './mongo-store';
export { type AutoRemove, DEFAULT_TTL_SECONDS, type MongoStoreOptions } from './options';
export { decodeKey, encodeKey, LONE_SURROGATE_SUBTYPE } from './bson-session';
export { MongoStoreWarning, MongoStoreWarningCode } from './warning';
export { MongoStore as default } from './mongo-store';

/**
 * `MongoStore.create(options)` as a module function: connect-mongo 4 and 5 are required as the
 * class (`const MongoStore = require('connect-mongo'); MongoStore.create(...)`), and this makes
 * that line work with only the package name changed, while the module keeps plain named exports
 * whose types every resolution mode reads the same way.
 */
export function create(options: MongoStoreOptions): MongoStore {
  return MongoStore.create(options);
}
