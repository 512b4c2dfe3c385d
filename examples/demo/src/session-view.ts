import type { RecordInspection } from '@session-stores/core';
import type { SessionData, Store } from 'express-session';
import { demoUserId, logoutOthersSupport } from './user-sessions';

/** What the page shows of one session: everything comes from the store, read without touching it. */
export interface SessionView {
  /** The current session's id, or null when the browser has none (or its record is gone). */
  sid: string | null;
  /** The session's data as `get` returns it, without the cookie. */
  data: Record<string, unknown> | null;
  /** When the cookie says the session ends (ISO), or null for a browser-session cookie. */
  cookieExpires: string | null;
  /** The record as the backend holds it, through the store's `inspect`; null when there is none. */
  record: RecordInspection | null;
  /** Why there is no record view when the store has no `inspect`. */
  recordUnavailable: string | null;
  logoutOthers: { available: boolean; reason: string | null };
  /** The logged-in user's live sessions (their devices), when the store keeps sessions by user; else null. */
  userSessions: UserSessionView[] | null;
}

/** One device of the user, as the "your sessions" list shows it. */
export interface UserSessionView {
  sid: string;
  /** The browser's user agent, recorded at login. */
  device: string;
  /** When the session was last saved or touched (its expiry minus its lifetime), ISO; null for a browser-session cookie. */
  lastSeen: string | null;
  /** This browser's own session. */
  current: boolean;
}

type InspectingStore = Store & {
  inspect?(sid: string, callback: (error: unknown, value?: RecordInspection | null) => void): void;
};

/** A store call in its callback form, which every express-session store has, as a promise. */
function viaCallback<T>(call: (callback: (error: unknown, value?: T) => void) => void): Promise<T | undefined> {
  return new Promise((resolve, reject) => call((error, value) => (error ? reject(error) : resolve(value))));
}

export async function readSessionView(store: Store, sid: string | null): Promise<SessionView> {
  const inspecting = store as InspectingStore;
  const canInspect = typeof inspecting.inspect === 'function';
  const others = logoutOthersSupport(store);
  const view: SessionView = {
    sid: null,
    data: null,
    cookieExpires: null,
    record: null,
    recordUnavailable: canInspect
      ? null
      : `${store.constructor.name} has no inspect(sid): the record cannot be shown as the backend holds it`,
    logoutOthers: { available: others.available, reason: others.available ? null : others.reason },
    userSessions: null,
  };
  if (sid === null) return view;
  // get and inspect only read: neither moves the expiry, so looking changes nothing.
  const session = await viaCallback<SessionData | null>((callback) => store.get(sid, callback));
  const record = canInspect
    ? ((await viaCallback<RecordInspection | null>((callback) => inspecting.inspect!(sid, callback))) ?? null)
    : null;
  if (!session && !record) return view;
  view.sid = sid;
  view.record = record;
  if (session) {
    const { cookie, ...data } = session as SessionData & Record<string, unknown>;
    view.data = data;
    view.cookieExpires = cookie?.expires ? new Date(cookie.expires).toISOString() : null;
    const username = demoUserId(session);
    if (others.available && username !== undefined) {
      const entries = await others.listSessions(username);
      view.userSessions = entries.map((entry) => ({
        sid: entry.sid,
        device: describeDevice((entry.session as { device?: unknown }).device),
        lastSeen: lastSeenOf(entry.session),
        current: entry.sid === sid,
      }));
    }
  }
  return view;
}

/** The browser family and platform from a user agent, enough to tell one's devices apart. */
export function describeDevice(userAgent: unknown): string {
  if (typeof userAgent !== 'string' || userAgent.length === 0) return 'unknown device';
  const browser = /Edg\//.test(userAgent)
    ? 'Edge'
    : /Firefox\//.test(userAgent)
      ? 'Firefox'
      : /Chrome\//.test(userAgent)
        ? 'Chrome'
        : /Safari\//.test(userAgent)
          ? 'Safari'
          : userAgent.split(/[\s/]/)[0]!;
  const platform = /Android/.test(userAgent)
    ? 'Android'
    : /iPhone|iPad/.test(userAgent)
      ? 'iOS'
      : /Windows/.test(userAgent)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(userAgent)
          ? 'macOS'
          : /Linux/.test(userAgent)
            ? 'Linux'
            : null;
  return platform ? `${browser} on ${platform}` : browser;
}

/** The store moves the expiry on every save and touch: the expiry minus the cookie's lifetime is when that was. */
function lastSeenOf(session: SessionData): string | null {
  const cookie = session.cookie as { expires?: unknown; originalMaxAge?: unknown } | undefined;
  if (typeof cookie?.originalMaxAge !== 'number' || !cookie.expires) return null;
  const at = new Date(cookie.expires as string).getTime() - cookie.originalMaxAge;
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}
