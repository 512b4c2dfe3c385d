import expressSession from 'express-session';
import type { Cookie as CookieType, Session as SessionType, SessionData } from 'express-session';
import type { StoreUnderTest } from './types';

/** The fields express-session's Cookie constructor copies. */
export interface CookieInit {
  maxAge?: number | null;
  expires?: Date | null | false;
  httpOnly?: boolean;
  path?: string;
  secure?: boolean;
  sameSite?: boolean | 'lax' | 'strict' | 'none';
}

// The typings declare these classes with private or missing constructors; the runtime classes
// take (options) and (req, data), and tests build sessions exactly as express-session does.
const Cookie = expressSession.Cookie as unknown as new (options?: CookieInit) => CookieType;
const Session = expressSession.Session as unknown as new (req: object, data?: object) => SessionType;
const storePrototype = expressSession.Store.prototype as unknown as {
  createSession(req: object, session: object): LiveSession;
};

/** A Session as express-session hands it to set/touch: user keys, a Cookie, non-enumerable id and req. */
export type LiveSession = SessionType & SessionData & Record<string, unknown>;

export { Cookie as CookieClass, Session as SessionClass };

/**
 * A session built the way express-session builds one in `generate()`: `new Session(req)` with a
 * `new Cookie(options)`, then the app's keys. `maxAge: null` gives a browser-session cookie;
 * `expires` sets the expiry directly (a Date in the past, or `false`).
 */
export function liveSession(
  store: StoreUnderTest,
  sid: string,
  data: Record<string, unknown> = {},
  cookie: CookieInit = { maxAge: 60_000 },
): LiveSession {
  const req = { sessionID: sid, sessionStore: store };
  const session = new Session(req) as LiveSession;
  const { expires, ...cookieOptions } = cookie;
  session.cookie = new Cookie(cookieOptions);
  if (expires !== undefined) session.cookie.expires = expires as Date;
  Object.assign(session, data);
  return session;
}

/**
 * Inflates what `get` returned the way express-session does on load (Store#createSession):
 * a Cookie with a Date `expires`, and a Session bound to the store. Works on any store object.
 */
export function loadedSession(store: StoreUnderTest, sid: string, stored: unknown): LiveSession {
  const req = { sessionID: sid, sessionStore: store };
  const copy = JSON.parse(JSON.stringify(stored)) as object;
  return storePrototype.createSession.call(store, req, copy);
}

/** What a store must give back for `session`: its JSON form (clause 3). */
export function jsonForm<T = Record<string, unknown>>(session: unknown): T {
  return JSON.parse(JSON.stringify(session)) as T;
}

/** A plain-JSON session, as another tool or an older store would have written it (clause 12). */
export function plainSession(
  data: Record<string, unknown>,
  expires: Date | null | false | undefined,
  originalMaxAge: number | null | false = null,
): Record<string, unknown> {
  const cookie: Record<string, unknown> = { originalMaxAge, httpOnly: true, path: '/' };
  if (expires !== undefined) cookie.expires = expires instanceof Date ? expires.toISOString() : expires;
  return { cookie, ...data };
}

/** `cookie.expires` of a session (live or as returned), as epoch ms, or null. */
export function expiresAtOf(session: unknown): number | null {
  const expires = (session as { cookie?: { expires?: unknown } } | null | undefined)?.cookie?.expires;
  if (expires instanceof Date) return expires.getTime();
  if (typeof expires === 'string' || typeof expires === 'number') {
    const time = new Date(expires).getTime();
    return Number.isNaN(time) ? null : time;
  }
  return null;
}
