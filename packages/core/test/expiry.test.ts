import type { SessionData } from 'express-session';
import { describe, expect, it } from 'vitest';
import { cookieExpiresAt, remainingLifetime, resolveExpiresAt } from '../src';
import { isoString } from '../src/expiry';

const now = Date.parse('2026-11-25T12:00:00.000Z');
const session = (expires: unknown) => ({ cookie: { expires } }) as unknown as SessionData;

describe('resolveExpiresAt', () => {
  it('takes cookie.expires to the millisecond, as a string or a Date', () => {
    expect(resolveExpiresAt(session('2026-11-25T12:00:01.234Z'), 'sid', now, 60)).toBe(now + 1234);
    expect(resolveExpiresAt(session(new Date(now + 5)), 'sid', now, 60)).toBe(now + 5);
  });

  it('uses the default TTL (seconds) for null, false or missing expires', () => {
    for (const expires of [null, false, undefined])
      expect(resolveExpiresAt(session(expires), 'sid', now, 60)).toBe(now + 60_000);
    expect(resolveExpiresAt({} as SessionData, 'sid', now, 1)).toBe(now + 1000);
  });

  it('lets a ttl function decide, given the session and the sid', () => {
    const seen: unknown[] = [];
    const ttl = (s: SessionData, sid: string) => {
      seen.push(sid);
      return (s as unknown as { long: boolean }).long ? 100 : 1;
    };
    expect(
      resolveExpiresAt({ ...session('2026-11-25T12:00:00.001Z'), long: true } as SessionData, 'abc', now, ttl),
    ).toBe(now + 100_000);
    expect(seen).toEqual(['abc']);
  });

  it('rejects an unparseable expires and a ttl function that returns no number', () => {
    expect(() => resolveExpiresAt(session('not a date'), 'sid', now, 60)).toThrow(/cookie.expires is not a valid date/);
    expect(() => resolveExpiresAt(session(null), 'sid', now, () => Number.NaN)).toThrow(/ttl function returned NaN/);
  });

  it('says what kind of value it got instead, without quoting it (it may be session contents)', () => {
    expect(() => resolveExpiresAt(session('not a date'), 'sid', now, 60)).toThrow(/got a string that names no date$/);
    const returned = (value: unknown) => () => resolveExpiresAt(session(null), 'sid', now, () => value as number);
    expect(returned(null)).toThrow(/ttl function returned null;/);
    expect(returned('secret')).toThrow(/ttl function returned a string;/);
    expect(returned(10n)).toThrow(/ttl function returned a BigInt;/);
    expect(returned({ user: 'alice' })).toThrow(/ttl function returned an object that is not a Date;/);
    expect(returned(true)).toThrow(/ttl function returned a boolean;/);
  });
});

describe('remainingLifetime', () => {
  it('rounds a positive remainder up to the granularity, never to 0', () => {
    expect(remainingLifetime(now + 1, now, 1000)).toBe(1000);
    expect(remainingLifetime(now + 1001, now, 1000)).toBe(2000);
    expect(remainingLifetime(now + 7, now, 1)).toBe(7);
  });

  it('is 0 once expired', () => {
    expect(remainingLifetime(now, now, 1000)).toBe(0);
    expect(remainingLifetime(now - 5, now, 1)).toBe(0);
  });
});

describe('cookieExpiresAt', () => {
  it('reads strings, Dates, and no expiry', () => {
    expect(cookieExpiresAt(session('2026-11-25T12:00:00.000Z'))).toBe(now);
    expect(cookieExpiresAt(session(null))).toBeNull();
    expect(cookieExpiresAt(null)).toBeNull();
    expect(cookieExpiresAt(session({}))).toBeNaN();
  });
});

describe('isoString', () => {
  it('writes what toISOString writes, for times in one second and across seconds, days and years', () => {
    const base = Date.UTC(2026, 11, 31, 23, 59, 59, 0);
    const times = [0, 1, 9, 10, 99, 100, 999, base, base + 7, base + 42, base + 999, base + 1000, base + 1001];
    times.push(Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(10_000, 0, 1), 1.5, -1, 8.64e15);
    for (const time of [...times, ...times.reverse()]) expect(isoString(time)).toBe(new Date(time).toISOString());
  });
});
