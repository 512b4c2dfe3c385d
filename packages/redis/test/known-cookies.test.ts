import { describe, expect, it } from 'vitest';
import { cookieSignature, KnownCookies, storedCookieSignature } from '../src/known-cookies';

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
