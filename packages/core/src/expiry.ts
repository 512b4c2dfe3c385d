import type { SessionData } from 'express-session';

/**
 * Session lifetime option, in seconds: a number is the lifetime of sessions whose cookie has
 * no expiry (browser-session cookies); a function decides every session's lifetime and so
 * overrides `cookie.expires` (the user asked for it: clause 14). The function gets the sid too.
 */
export type TtlOption = number | ((session: SessionData, sid: string) => number);

/** Reads `cookie.expires` as epoch ms; null when the cookie has no expiry (null, false, missing). */
export function cookieExpiresAt(session: unknown): number | null {
  const cookie = (session as { cookie?: { expires?: unknown } } | null | undefined)?.cookie;
  const expires = cookie?.expires;
  if (expires === null || expires === undefined || expires === false) return null;
  if (expires instanceof Date) return expires.getTime();
  if (typeof expires === 'string' || typeof expires === 'number') return new Date(expires).getTime();
  return Number.NaN;
}

export class ExpiryError extends Error {}

/**
 * The absolute expiry, in epoch ms, of a session being written at `now`.
 * Expiry comes from `cookie.expires` (clause 12), else from the default TTL (clause 13);
 * a `ttl` function overrides both.
 */
export function resolveExpiresAt(session: SessionData, sid: string, now: number, ttl: TtlOption): number {
  if (typeof ttl === 'function') {
    const seconds = ttl(session, sid);
    if (typeof seconds !== 'number' || Number.isNaN(seconds)) {
      throw new ExpiryError(`the ttl function returned ${String(seconds)}; expected a number of seconds`);
    }
    return now + seconds * 1000;
  }
  const fromCookie = cookieExpiresAt(session);
  if (fromCookie === null) return now + ttl * 1000;
  if (Number.isNaN(fromCookie)) {
    throw new ExpiryError(`cookie.expires is not a valid date: ${JSON.stringify(session.cookie?.expires)}`);
  }
  return fromCookie;
}

/**
 * Remaining lifetime from `now` until `expiresAt`, rounded UP to the backend's granularity, so
 * that a session with any time left never becomes 0 ("no expiry" on some backends) or expires
 * early (clause 15). Returns 0 or less only when the session has already expired.
 */
export function remainingLifetime(expiresAt: number, now: number, granularityMs: number): number {
  const remaining = expiresAt - now;
  if (remaining <= 0) return 0;
  return Math.ceil(remaining / granularityMs) * granularityMs;
}

export function isExpired(expiresAt: number | null, now: number): boolean {
  return expiresAt !== null && expiresAt <= now;
}
