import { remainingLifetime } from '@session-stores/core';

/** Memcached honours expiry in whole seconds. */
export const GRANULARITY_MS = 1000;

/**
 * The largest exptime memcached reads as "seconds from now": anything above 30 days is read
 * as an absolute Unix time. connect-memcached sends every lifetime as seconds from now, so a
 * 31-day session lands in January 1970 and vanishes at once.
 */
export const MAX_RELATIVE_EXPTIME_SECONDS = 30 * 24 * 60 * 60;

/**
 * Absolute exptimes are capped at the largest signed 32-bit time (January 2038): memcached
 * builds with a 32-bit signed `time_t` read anything larger as negative, which means "expired".
 */
export const MAX_ABSOLUTE_EXPTIME = 2 ** 31 - 1;

/**
 * One second added to every exptime. memcached's clock is a counter that its timer advances
 * once a second, so an item given N seconds goes after between N-1 and N real seconds, and an
 * absolute time can land up to a second early too (the server's second counter and the wall
 * clock are not in phase). Without the margin a session could vanish before its cookie says;
 * with it the item outlives the cookie by at most two seconds, and `get` still refuses the
 * session from the moment `cookie.expires` passes (the base checks it on every read).
 */
export const CLOCK_MARGIN_SECONDS = 1;

/**
 * The exptime to send for a record that must live until `expiresAt` (epoch ms), written at
 * `now`: the remaining lifetime rounded UP to whole seconds, so it is never 0 (memcached's
 * "never expires"), plus {@link CLOCK_MARGIN_SECONDS}; sent as seconds from now up to 30 days
 * and as an absolute Unix time beyond. Callers only ask for future expiries.
 */
export function memcachedExptime(expiresAt: number, now: number): number {
  const seconds =
    Math.max(1, remainingLifetime(expiresAt, now, GRANULARITY_MS) / GRANULARITY_MS) + CLOCK_MARGIN_SECONDS;
  if (seconds <= MAX_RELATIVE_EXPTIME_SECONDS) return seconds;
  return Math.min(Math.ceil(expiresAt / 1000) + CLOCK_MARGIN_SECONDS, MAX_ABSOLUTE_EXPTIME);
}
