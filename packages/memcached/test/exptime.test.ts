import { describe, expect, it } from 'vitest';
import {
  CLOCK_MARGIN_SECONDS,
  MAX_ABSOLUTE_EXPTIME,
  MAX_RELATIVE_EXPTIME_SECONDS,
  memcachedExptime,
} from '../src/exptime';

const DAY_MS = 86_400_000;
const now = Date.UTC(2026, 0, 15, 12, 0, 0, 250);
const margin = CLOCK_MARGIN_SECONDS;

describe('memcachedExptime(expiresAt, now)', () => {
  it("adds one second for memcached's once-a-second clock", () => {
    expect(CLOCK_MARGIN_SECONDS).toBe(1);
  });

  it('rounds a sub-second remainder up to 1 s, never 0 ("never expires")', () => {
    expect(memcachedExptime(now + 1, now)).toBe(1 + margin);
    expect(memcachedExptime(now + 50, now)).toBe(1 + margin);
    expect(memcachedExptime(now + 999, now)).toBe(1 + margin);
    expect(memcachedExptime(now + 1000, now)).toBe(1 + margin);
  });

  it('rounds any positive remainder up to whole seconds', () => {
    expect(memcachedExptime(now + 1001, now)).toBe(2 + margin);
    expect(memcachedExptime(now + 59_999, now)).toBe(60 + margin);
    expect(memcachedExptime(now + 60_000, now)).toBe(60 + margin);
  });

  it('sends up to 30 days as seconds from now', () => {
    expect(MAX_RELATIVE_EXPTIME_SECONDS).toBe(2_592_000);
    expect(memcachedExptime(now + 30 * DAY_MS - 1000 * margin, now)).toBe(2_592_000);
  });

  it('sends lifetimes over 30 days as an absolute Unix time, rounded up (31, 60, 400 days)', () => {
    for (const days of [31, 60, 400]) {
      const expiresAt = now + days * DAY_MS;
      const exptime = memcachedExptime(expiresAt, now);
      expect(exptime).toBe(Math.ceil(expiresAt / 1000) + margin);
      expect(exptime * 1000).toBeGreaterThan(expiresAt);
      expect(exptime * 1000 - expiresAt).toBeLessThan(1000 * (1 + margin));
    }
    // Just past 30 days with the margin: absolute, since memcached would read the number as a date in 1970.
    expect(memcachedExptime(now + 30 * DAY_MS, now)).toBe(Math.ceil((now + 30 * DAY_MS) / 1000) + margin);
  });

  it('caps absolute times at January 2038 (signed 32-bit)', () => {
    expect(memcachedExptime(Date.UTC(2100, 0, 1), now)).toBe(MAX_ABSOLUTE_EXPTIME);
  });
});
