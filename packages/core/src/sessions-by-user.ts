import type { SessionData } from 'express-session';
import { storeError, StoreErrorCode } from './errors';
import { describeValue } from './validate';

/**
 * The `userId` store option: the user a session belongs to, or null/undefined for a session
 * without one (not logged in). Called on every `set`, with the session being saved.
 */
export type UserIdOf = (session: SessionData) => string | null | undefined;

/** The options of `destroyUserSessions`. */
export interface DestroyUserSessionsOptions {
  /** A sid to keep: the current device, for "log out everywhere else". */
  except?: string;
}

/** Why a store refuses the `userId` option when it keeps no index by user (memcached). */
export function userIdUnsupported(storeName: string, reason: string | undefined): TypeError {
  return new TypeError(
    `${storeName}: option "userId" is not supported${reason ? `: ${reason}` : ''}; ` +
      'sessions by user need a store that keeps them indexed (PostgresStore, SqliteStore, MongoStore)',
  );
}

/**
 * The user of a session as the store indexes it. What the option returns is checked: anything
 * but a non-empty string, null or undefined fails the `set` with ERR_SESSION_STORE_INVALID_ARGUMENT
 * rather than indexing the session under a user it would never be found by (`42` and `"42"`).
 */
export function userOfSession(storeName: string, userIdOf: UserIdOf, session: SessionData): string | null {
  let user: unknown;
  try {
    user = userIdOf(session);
  } catch (error) {
    throw storeError(
      storeName,
      'set',
      StoreErrorCode.invalidArgument,
      `option "userId" threw: ${(error as Error)?.message ?? String(error)}`,
      error,
    );
  }
  if (user === null || user === undefined) return null;
  if (typeof user === 'string' && user.length > 0) return user;
  throw storeError(
    storeName,
    'set',
    StoreErrorCode.invalidArgument,
    `option "userId" must return a non-empty string, or null or undefined for a session without a user, got ${describeValue(user)}`,
  );
}

/** Checks the user id given to userSessions, countUserSessions and destroyUserSessions. */
export function checkUserIdArgument(storeName: string, operation: string, userId: unknown): asserts userId is string {
  if (typeof userId !== 'string' || userId.length === 0) {
    throw storeError(
      storeName,
      operation,
      StoreErrorCode.invalidArgument,
      `userId must be a non-empty string, got ${describeValue(userId)}`,
    );
  }
}

/** The sid to keep in destroyUserSessions, or null; a bad `options` is an error, never ignored. */
export function exceptSidOf(storeName: string, options: unknown): string | null {
  if (options === undefined) return null;
  const fail = (reason: string): never => {
    throw storeError(storeName, 'destroyUserSessions', StoreErrorCode.invalidArgument, reason);
  };
  if (typeof options !== 'object' || options === null || Array.isArray(options))
    fail(`options must be an object like { except: sid }, got ${describeValue(options)}`);
  const { except } = options as DestroyUserSessionsOptions;
  if (except === undefined) return null;
  if (typeof except !== 'string' || except.length === 0)
    fail(`options.except must be a non-empty sid, got ${describeValue(except)}`);
  return except as string;
}
