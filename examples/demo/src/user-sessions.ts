import type { SessionData, Store } from 'express-session';

/**
 * "Log out everywhere else" and the list of a user's devices need a store that keeps sessions by
 * user (`capabilities.sessionsByUser`, made with the `userId` option: see the root README). The
 * demo asks the store, never assumes: both light up when the store declares the capability and
 * has the methods, and the page says why they are off otherwise (MemcachedStore, or a store made
 * without the option).
 */
interface SessionsByUserStore {
  capabilities: { sessionsByUser: true };
  userSessions(userId: string): Promise<{ sid: string; session: SessionData }[]>;
  destroyUserSessions(userId: string, options: { except: string }): Promise<number>;
}

export type LogoutOthers =
  | {
      available: true;
      listSessions(userId: string): Promise<{ sid: string; session: SessionData }[]>;
      destroyOthers(userId: string, keepSid: string): Promise<number>;
    }
  | { available: false; reason: string };

export function logoutOthersSupport(store: Store): LogoutOthers {
  const candidate = store as Partial<SessionsByUserStore> & { capabilities?: Record<string, unknown> };
  if (
    candidate.capabilities?.sessionsByUser !== true ||
    typeof candidate.destroyUserSessions !== 'function' ||
    typeof candidate.userSessions !== 'function'
  ) {
    return {
      available: false,
      reason: `${store.constructor.name} does not declare the sessions-by-user capability (capabilities.sessionsByUser): it was made without the userId option, or its backend cannot keep the index`,
    };
  }
  const list = candidate.userSessions.bind(store);
  const destroy = candidate.destroyUserSessions.bind(store);
  return {
    available: true,
    listSessions: (userId) => list(userId),
    destroyOthers: (userId, keepSid) => destroy(userId, { except: keepSid }),
  };
}

/** The demo's sessions belong to the name given at login. */
export function demoUserId(session: SessionData): string | undefined {
  const username = (session as { username?: unknown }).username;
  return typeof username === 'string' ? username : undefined;
}

/**
 * Makes the store with the `userId` option when its package keeps sessions by user, and without
 * it when the store refuses the option (MemcachedStore; a store whose support has not landed):
 * the refusal is a TypeError at construction naming the option, so detection needs no list.
 */
export function withUserIndex<T>(make: (extra: { userId?: typeof demoUserId }) => T): T {
  try {
    return make({ userId: demoUserId });
  } catch (error) {
    if (error instanceof TypeError && /option "userId" is not supported/.test(error.message)) return make({});
    throw error;
  }
}
