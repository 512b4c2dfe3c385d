import type { SessionData } from 'express-session';

/** The key of the suite's sessions that holds their user (clauses 57-62). */
export const SUITE_USER_KEY = 'userId';

/**
 * The user of a session as the suite writes it, handed to `createStore` as `context.userId`:
 * a store that keeps sessions by user takes it as its option, so the suite and the store agree
 * on who owns each session without the suite knowing the store's option names.
 */
export function suiteUserId(session: SessionData): string | undefined {
  const user = (session as unknown as Record<string, unknown>)[SUITE_USER_KEY];
  return typeof user === 'string' && user.length > 0 ? user : undefined;
}
