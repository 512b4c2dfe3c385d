import { randomUUID } from 'node:crypto';
import type { SessionData } from 'express-session';

export const sid = (): string => `sid-${randomUUID()}`;

/** A session as express-session hands it to `set`, expiring `ms` from now. */
export function session(ms: number, data: Record<string, unknown> = {}): SessionData & Record<string, unknown> {
  return {
    cookie: { originalMaxAge: ms, expires: new Date(Date.now() + ms).toISOString(), httpOnly: true, path: '/' },
    ...data,
  } as unknown as SessionData & Record<string, unknown>;
}

export const expiresOf = (value: unknown): string => (value as { cookie: { expires: string } }).cookie.expires;
