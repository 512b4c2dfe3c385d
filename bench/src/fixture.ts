import expressSession from 'express-session';
import type { SessionData } from 'express-session';

// The typings declare no constructor options; express-session itself takes them (session/cookie.js).
const Cookie = expressSession.Cookie as unknown as new (
  options: Record<string, unknown>,
) => InstanceType<typeof expressSession.Cookie>;

/** One day, the lifetime of every benchmark session. */
export const SESSION_MAX_AGE_MS = 86_400_000;

/**
 * A session as an app of average size keeps one: about 500 bytes of JSON with an
 * express-session Cookie, so stores pay for a real cookie (getters, toJSON) and real payload.
 */
export function realisticSession(): SessionData {
  const cookie = new Cookie({ maxAge: SESSION_MAX_AGE_MS, httpOnly: true, secure: false, sameSite: 'lax', path: '/' });
  return {
    cookie,
    userId: 'u_4f1c2a9e7b3d48c1',
    user: {
      id: 48213,
      name: 'Ada Lovelace',
      email: 'ada.lovelace@example.com',
      roles: ['user', 'editor'],
      locale: 'en-GB',
    },
    csrfSecret: 'k9V2pXw7QmZr4TtYb8NcLd3Hf6Js1Ae0',
    cart: [
      { sku: 'BK-1843-FR', quantity: 1, unitPrice: 24.5 },
      { sku: 'PN-0042-BL', quantity: 2, unitPrice: 3.99 },
    ],
    preferences: { theme: 'dark', newsletter: false, itemsPerPage: 25 },
    views: 17,
  } as unknown as SessionData;
}

/** The size of the fixture as stored, for the report. */
export function realisticSessionBytes(): number {
  return Buffer.byteLength(JSON.stringify(realisticSession()), 'utf8');
}
