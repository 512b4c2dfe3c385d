import type { SessionData } from 'express-session';

/**
 * Session lifetime option, in seconds: a number is the lifetime of sessions whose cookie has
 * no expiry (browser-session cookies); a function decides every session's lifetime and so
 * overrides `cookie.expires` (the user asked for it: clause 14). The function gets the sid too.
 */
export type TtlOption = number | ((session: SessionData, sid: string) => number);

/**
 * The latest expiry a session may have: 9999-12-31T23:59:59.999Z, the last instant an ISO 8601
 * date with a four-digit year names. Every backend holds it (PostgreSQL `timestamptz` goes to
 * 294276 AD, MongoDB and SQLite keep 64-bit milliseconds, Redis 64-bit `PX`; memcached caps its
 * own exptime at 2038 and goes by the stored cookie), and its JSON is a plain ISO string, where a
 * later JS Date becomes `+010000-...`, which many parsers refuse. A later expiry, like a lifetime
 * that is not a finite number, is refused before any backend call: the same error on every store,
 * where each backend would otherwise fail its own way or store 1970 (an instant loss).
 */
export const MAX_EXPIRES_AT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Reads `cookie.expires` as epoch ms; null when the cookie has no expiry (null, false, missing).
 * It is read as its JSON form is (what the store keeps, clause 42): an Invalid Date and a
 * non-finite number become `null` in JSON, so they are null here too (the default lifetime), as
 * express-session's MemoryStore keeps them. NaN for anything else that names no instant.
 */
export function cookieExpiresAt(session: unknown): number | null {
  const cookie = (session as { cookie?: { expires?: unknown } } | null | undefined)?.cookie;
  const expires = cookie?.expires;
  if (expires === null || expires === undefined || expires === false) return null;
  if (expires instanceof Date) {
    const time = expires.getTime();
    return Number.isNaN(time) ? null : time;
  }
  if (typeof expires === 'number') return Number.isFinite(expires) ? new Date(expires).getTime() : null;
  if (typeof expires === 'string') return new Date(expires).getTime();
  return Number.NaN;
}

export class ExpiryError extends Error {}

/** What a bad value is, for an error message that must not quote session contents. */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number') return String(value);
  // Stryker disable next-line ConditionalExpression: equivalent, the last line says `a ${typeof value}`, which is the same "a string"
  if (typeof value === 'string') return 'a string';
  if (typeof value === 'bigint') return 'a BigInt';
  return typeof value === 'object' ? 'an object that is not a Date' : `a ${typeof value}`;
}

function checkRepresentable(expiresAt: number, what: string): number {
  if (expiresAt > MAX_EXPIRES_AT) {
    throw new ExpiryError(
      `${what} is after ${new Date(MAX_EXPIRES_AT).toISOString()}, the latest expiry a store keeps`,
    );
  }
  return expiresAt;
}

/**
 * The absolute expiry, in epoch ms, of a session being written at `now`.
 * Expiry comes from `cookie.expires` (clause 12), else from the default TTL (clause 13);
 * a `ttl` function overrides both.
 */
export function resolveExpiresAt(session: SessionData, sid: string, now: number, ttl: TtlOption): number {
  if (typeof ttl === 'function') {
    const seconds = ttl(session, sid);
    // Stryker disable next-line ConditionalExpression: equivalent, Number.isFinite is false for every value that is not a number
    if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
      throw new ExpiryError(`the ttl function returned ${kindOf(seconds)}; expected a finite number of seconds`);
    }
    return checkRepresentable(now + seconds * 1000, `the ttl function returned ${seconds} seconds: the expiry`);
  }
  const fromCookie = cookieExpiresAt(session);
  if (fromCookie === null) return checkRepresentable(now + ttl * 1000, `the ttl option (${ttl} seconds): the expiry`);
  if (Number.isNaN(fromCookie)) {
    const expires: unknown = session.cookie?.expires;
    const got = typeof expires === 'string' ? 'a string that names no date' : kindOf(expires);
    throw new ExpiryError(`cookie.expires is not a valid date: got ${got}`);
  }
  return checkRepresentable(fromCookie, 'cookie.expires');
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

/** Year 10000: from there toISOString writes six-digit years, which the fast path below does not. */
const ISO_FAST_LIMIT = 253_402_300_800_000;
let cachedSecond = Number.NaN;
let cachedPrefix = '';

/**
 * `new Date(ms).toISOString()`, for the expiry every get writes into the cookie. Building a Date
 * and formatting it took a seventh of a Redis get's own CPU; expiries that are read close
 * together mostly share their second, so that part is formatted once and only the milliseconds
 * are appended.
 */
export function isoString(ms: number): string {
  if (!Number.isInteger(ms) || ms < 0 || ms >= ISO_FAST_LIMIT) return new Date(ms).toISOString();
  const milli = ms % 1000;
  const second = ms - milli;
  if (second !== cachedSecond) {
    cachedPrefix = new Date(second).toISOString().slice(0, 20);
    cachedSecond = second;
  }
  return cachedPrefix + (milli < 10 ? '00' : milli < 100 ? '0' : '') + String(milli) + 'Z';
}
