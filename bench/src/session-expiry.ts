import type { SessionData } from 'express-session';

/** The session's cookie expiry in epoch ms, or a day from now: all a raw write needs to know. */
export function expiresAt(session: SessionData): number {
  const expires = (session.cookie as { expires?: Date | string | null } | undefined)?.expires;
  return expires ? new Date(expires).getTime() : Date.now() + 86_400_000;
}

/** Milliseconds from now until the session expires, at least 1. */
export function ttlMs(session: SessionData): number {
  return Math.max(1, expiresAt(session) - Date.now());
}
