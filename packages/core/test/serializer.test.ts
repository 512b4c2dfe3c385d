import expressSession from 'express-session';
import { describe, expect, it } from 'vitest';
import { stringifySession } from '../src/serializer';

// The typings declare no constructor options; express-session itself takes them.
const Cookie = expressSession.Cookie as unknown as new (options: Record<string, unknown>) => object;

/** What JSON.stringify gives, or the message of what it throws. */
const outcome = (write: () => string) => {
  try {
    return write();
  } catch (error) {
    return `threw ${(error as Error).constructor.name}`;
  }
};

describe('stringifySession', () => {
  it('writes exactly what JSON.stringify writes, for every shape of session and cookie', () => {
    const circular: Record<string, unknown> = { cookie: new Cookie({ maxAge: 1000 }) };
    circular.self = circular;
    const hidden = { n: 1 };
    Object.defineProperty(hidden, 'cookie', { value: new Cookie({ maxAge: 1000 }), enumerable: false });
    const sessions: unknown[] = [
      { cookie: new Cookie({ maxAge: 60_000, httpOnly: true, path: '/', sameSite: 'lax' }), user: { id: 1 }, n: 2 },
      { n: 1, cookie: new Cookie({ httpOnly: true }), later: new Date(0) }, // browser-session cookie, a Date elsewhere
      { cookie: Object.assign(new Cookie({ maxAge: 1 }), { expires: false }) },
      { cookie: { originalMaxAge: 1, expires: new Date(Number.NaN) } }, // an invalid Date: JSON null
      { cookie: { originalMaxAge: 1, expires: '2030-01-01T00:00:00.000Z', path: '/' } },
      { cookie: { path: '/' } }, // no expires key
      { cookie: { expires: Object.assign(new Date(0), { toJSON: () => 'own' }) } },
      { cookie: { expires: new Date(8.64e15) } },
      { cookie: { expires: new Date(0), toJSON: () => 'x' } },
      { cookie: { expires: new Date(0), nested: { toJSON: () => 'y' } } },
      { cookie: { toJSON: () => ({ expires: new Date(0), toJSON: () => 'z' }) } },
      { cookie: { toJSON: (key: string) => key } },
      { cookie: null, n: 1 },
      { n: 1 },
      { cookie: new Cookie({ maxAge: 1 }), toJSON: () => ({ replaced: true }) },
      hidden,
      circular,
      { cookie: new Cookie({ maxAge: 1 }), big: 1n },
    ];
    for (const session of sessions)
      expect(outcome(() => stringifySession(session))).toBe(outcome(() => JSON.stringify(session)));
  });
});
