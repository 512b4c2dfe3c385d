import { describe, expect, it } from 'vitest';
import expressSession from 'express-session';
import { cookieSignature, KnownCookies, storedCookieSignature, touchedCookieSignature } from '../src/known-cookies';

// The typings declare no constructor options; express-session itself takes them.
const Cookie = expressSession.Cookie as unknown as new (options: Record<string, unknown>) => object;

const cookie = (expires: string | null, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ originalMaxAge: 60_000, expires, httpOnly: true, path: '/', ...extra });

describe('KnownCookies', () => {
  it('signatures are equal for cookies that differ only in their expires date', () => {
    expect(cookieSignature(cookie('2030-01-01T00:00:00.000Z'))).toBe(
      cookieSignature(cookie('2031-05-05T00:00:00.000Z')),
    );
    expect(cookieSignature(cookie('2030-01-01T00:00:00.000Z'))).not.toBe(cookieSignature(cookie(null)));
    expect(cookieSignature(cookie('2030-01-01T00:00:00.000Z'))).not.toBe(
      cookieSignature(cookie('2030-01-01T00:00:00.000Z', { secure: true })),
    );
  });

  it("reads the stored cookie's signature from JSON.stringify of a session, and never a cut one as whole", () => {
    const stored = `{"cookie":${cookie('2030-01-01T00:00:00.000Z')},"n":1}`;
    expect(storedCookieSignature(stored)).toBe(cookieSignature(cookie('2031-01-01T00:00:00.000Z')));
    const braced = cookie('2030-01-01T00:00:00.000Z', { path: '/a}b' });
    expect(storedCookieSignature(`{"cookie":${braced},"n":1}`)).not.toBe(cookieSignature(braced));
    expect(storedCookieSignature('{"n":1,"cookie":{}}')).toBeNull();
  });

  it("gives a touched cookie's signature as cookieSignature of its JSON, or null when it cannot tell", () => {
    const viaJson = (value: unknown) => cookieSignature(JSON.stringify(value));
    const cookies: unknown[] = [
      new Cookie({ maxAge: 60_000, httpOnly: true, path: '/', sameSite: 'lax' }),
      new Cookie({ httpOnly: true, path: '/' }), // a browser-session cookie: expires null
      Object.assign(new Cookie({ maxAge: 60_000 }), { expires: false }),
      { originalMaxAge: 60_000, expires: '2030-01-01T00:00:00.000Z', path: '/' }, // as get gave it
      { originalMaxAge: null, expires: null, path: '/' },
      { originalMaxAge: 1, expires: new Date(Number.NaN), path: '/' },
    ];
    for (const cookie of cookies) expect(touchedCookieSignature(cookie)).toBe(viaJson(cookie));
    const later = new Cookie({ maxAge: 120_000, httpOnly: true, path: '/', sameSite: 'lax' });
    expect(touchedCookieSignature(later)).not.toBe(touchedCookieSignature(cookies[0]));
    expect(touchedCookieSignature({ expires: 'a"b', path: '/' })).toBeNull();
    expect(touchedCookieSignature({ expires: null, size: 1n })).toBeNull();
    expect(
      touchedCookieSignature({
        toJSON() {
          throw new Error('no');
        },
      }),
    ).toBeNull();
    expect(touchedCookieSignature(null)).toBeNull();
    // The last cookie is remembered by value: changing a plain cookie afterwards changes its signature.
    const plain: Record<string, unknown> = { originalMaxAge: 60_000, expires: '2030-01-01T00:00:00.000Z', path: '/' };
    const before = touchedCookieSignature(plain);
    plain.path = '/admin';
    expect(touchedCookieSignature(plain)).toBe(viaJson(plain));
    expect(touchedCookieSignature(plain)).not.toBe(before);
    expect(touchedCookieSignature({ ...plain, secure: true })).toBe(viaJson({ ...plain, secure: true }));
    expect(touchedCookieSignature({ ...plain, expires: null })).toBe(viaJson({ ...plain, expires: null }));
    expect(touchedCookieSignature('cookie')).toBeNull();
  });

  it('matches the last signature remembered per sid, forgets on request, and holds at most max sids', () => {
    const known = new KnownCookies(4);
    known.remember('a', 'x');
    expect(known.matches('a', 'x')).toBe(true);
    known.remember('a', 'y');
    expect(known.matches('a', 'x')).toBe(false);
    known.forget('a');
    expect(known.matches('a', 'y')).toBe(false);
    for (let n = 0; n < 100; n += 1) known.remember(`s${n}`, 'x');
    expect(known.matches('s99', 'x')).toBe(true);
    expect(known.matches('s0', 'x')).toBe(false);
    const held = known as unknown as { current: Map<string, string>; previous: Map<string, string> };
    expect(held.current.size + held.previous.size).toBeLessThanOrEqual(4);
  });
});
