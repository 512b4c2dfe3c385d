import { checkSessionModule, type ExpressSessionModule } from './express-session-module';
import { SqliteStore } from './sqlite-store';

/**
 * better-sqlite3-session-store's shape, so that switching is the require line only:
 * `const SqliteStore = require('@session-stores/sqlite/better-sqlite3-session-store')(session)`,
 * then `new SqliteStore({ client: db, expired })` as before. The options are SqliteStore's,
 * which include `client` and `expired` under the old package's names.
 */
export default function betterSqlite3SessionStore(session: ExpressSessionModule): typeof SqliteStore {
  checkSessionModule('better-sqlite3-session-store', session);
  return SqliteStore;
}
