import { describe, expect, it } from 'vitest';
import { faultResult, memoryGrowth, seconds } from '../metrics';
import { faultTimes } from '../soak-run';

const fault = { name: 'kill', description: 'kill', injectedAt: 10_000, restoredAt: 12_000 };

describe('soak figures', () => {
  it("measures recovery from the backend's return to the end of the last failed request", () => {
    const requests = [
      { at: 9_000, ms: 5, status: 200 },
      { at: 11_000, ms: 5, status: 503 },
      { at: 12_500, ms: 300, status: 0 },
      { at: 13_000, ms: 5, status: 200 },
    ];
    const result = faultResult(fault, requests, []);
    expect(result.recoveryMs).toBe(800);
    expect(result.during).toMatchObject({ requests: 1, errors: 1 });
    expect(result.after).toMatchObject({ requests: 2, errors: 1 });
    expect(result.before).toMatchObject({ requests: 1, errors: 0, p50: 5 });
  });

  it('ends recovery when requests succeed steadily again: a lone failure long after is not the outage', () => {
    const steady = Array.from({ length: 40 }, (_, i) => ({ at: 12_000 + 500 * i, ms: 5, status: 200 }));
    const outage = [
      { at: 12_000, ms: 700, status: 503 },
      { at: 12_100, ms: 1_400, status: 0 },
    ];
    // The outage's failures end at 13,500; one more fails 15 s after the return.
    const requests = [...steady, ...outage, { at: 27_000, ms: 2_000, status: 503 }];
    expect(faultResult(fault, requests, []).recoveryMs).toBe(1_500);
    // Failures that keep coming less than two seconds apart are one outage, however long.
    const flapping = Array.from({ length: 10 }, (_, i) => ({ at: 12_000 + 1_500 * i, ms: 10, status: 503 }));
    expect(faultResult(fault, [...steady, ...flapping], []).recoveryMs).toBe(13_510);
    // No success after the return: the end of the last failure.
    expect(faultResult(fault, [{ at: 12_500, ms: 100, status: 503 }], []).recoveryMs).toBe(600);
    expect(faultResult(fault, steady, []).recoveryMs).toBe(0);
  });

  it('attributes a loss to a fault only when acknowledged before the backend was back and found after the fault began', () => {
    const losses = [
      { at: 13_000, kind: 'missing' as const, ackAt: 9_000, clientId: 1 },
      { at: 13_000, kind: 'stale' as const, ackAt: 11_000, clientId: 2 },
      { at: 9_500, kind: 'missing' as const, ackAt: 9_000, clientId: 3 },
      { at: 14_000, kind: 'missing' as const, ackAt: 12_500, clientId: 4 },
    ];
    expect(faultResult(fault, [], losses).lost).toBe(2);
  });

  it('counts requests per second and sums the memory of the apps', () => {
    const timeline = seconds(
      [
        { at: 100, ms: 1, status: 200 },
        { at: 1_100, ms: 1, status: 500 },
      ],
      [
        { at: 500, app: 0, rss: 2 ** 20, heapUsed: 1 },
        { at: 600, app: 1, rss: 2 * 2 ** 20, heapUsed: 1 },
      ],
      0,
      2_000,
    );
    expect(timeline).toEqual([
      { t: 0, ok: 1, errors: 0, rssMb: 3 },
      { t: 1, ok: 0, errors: 1, rssMb: null },
    ]);
  });

  it('compares memory after warm-up with memory at the end', () => {
    const samples = Array.from({ length: 100 }, (_, i) => ({
      at: i * 1000,
      app: 0,
      rss: (i < 50 ? 100 : 120) * 2 ** 20,
      heapUsed: 10 * 2 ** 20,
    }));
    const growth = memoryGrowth(samples, 20_000, 100_000);
    expect(growth.rssGrowthPercent).toBeCloseTo(20);
    expect(growth.heapGrowthPercent).toBe(0);
  });

  it('spaces faults after a warm-up of a fifth of the run', () => {
    expect(faultTimes(100_000, 2)).toEqual([20_000, 60_000]);
  });
});
