import { PostgresStore } from './postgres-store';
import { STORE_NAME } from './options';

/**
 * What connect-pg-simple's factory is called with: express-session's module (its `Store`), or,
 * as connect-pg-simple also accepts, an object whose `session` is that module.
 */
export type ExpressSessionModule = { Store: unknown } | { session: { Store: unknown } };

/**
 * connect-pg-simple's shape, for a switch that changes only the require line:
 * `require('@session-stores/postgres/connect-pg-simple')(session)` gives a class that takes
 * connect-pg-simple's options (`new PGStore({ pool, tableName })`). The class is
 * {@link PostgresStore} itself, so `instanceof` and its types are the main entry's.
 * `session` is only checked: the store already extends express-session's Store.
 */
export default function connectPgSimple(session: ExpressSessionModule): typeof PostgresStore {
  const candidate = session as { Store?: unknown; session?: { Store?: unknown } } | null | undefined;
  const store = candidate?.Store ?? candidate?.session?.Store;
  if ((typeof session !== 'function' && typeof session !== 'object') || typeof store !== 'function') {
    throw new TypeError(
      `${STORE_NAME}: connect-pg-simple's factory takes express-session's module, as in require('@session-stores/postgres/connect-pg-simple')(require('express-session'))`,
    );
  }
  return PostgresStore;
}
