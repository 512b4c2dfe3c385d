import { randomBytes } from 'node:crypto';
import type { SessionData } from 'express-session';

export const DAY_MS = 86_400_000;

/** A session as express-session passes it (JSON form), expiring `ms` from now. */
export function sessionExpiringIn(ms: number, extra: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: ms, expires: new Date(Date.now() + ms).toISOString(), httpOnly: true, path: '/' },
    ...extra,
  } as unknown as SessionData;
}

/** A browser-session cookie: no expiry of its own, so the store's default TTL applies. */
export function browserSession(extra: Record<string, unknown> = {}): SessionData {
  return {
    cookie: { originalMaxAge: null, expires: null, httpOnly: true, path: '/' },
    ...extra,
  } as unknown as SessionData;
}

export function randomSid(): string {
  return randomBytes(18).toString('base64url');
}

/** A fresh prefix per test, so tests never see each other's sessions. */
export function randomPrefix(): string {
  return `t${randomBytes(5).toString('hex')}:`;
}

/** Polls `check` until it returns true or the deadline passes; returns the last result. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  intervalMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
