import type { Store } from 'express-session';

/**
 * "Log out everywhere else" needs a store that finds a user's sessions (issue 16, not built
 * yet). The demo asks the store, never assumes: the button lights up once a store declares the
 * capability and has the method, and says why it is off until then. The names here are the
 * ones this demo expects; the store API that lands decides them, and only this file follows.
 */
interface SessionsByUserStore {
  capabilities: { sessionsByUser: true };
  destroyUserSessions(userId: string, options: { except: string }): Promise<number>;
}

export type LogoutOthers =
  | { available: true; destroyOthers(userId: string, keepSid: string): Promise<number> }
  | { available: false; reason: string };

export function logoutOthersSupport(store: Store): LogoutOthers {
  const candidate = store as Partial<SessionsByUserStore> & { capabilities?: Record<string, unknown> };
  if (candidate.capabilities?.sessionsByUser !== true || typeof candidate.destroyUserSessions !== 'function') {
    return {
      available: false,
      reason: `${store.constructor.name} does not declare the sessions-by-user capability (capabilities.sessionsByUser): sessions by user are not built yet`,
    };
  }
  const destroy = candidate.destroyUserSessions.bind(store);
  return { available: true, destroyOthers: (userId, keepSid) => destroy(userId, { except: keepSid }) };
}
