import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { RedisDriver } from '../src/driver';
import { MAX_WAIT_FOR_READY_MS, ReadyGate } from '../src/ready-gate';

// The gate alone, on a stand-in for a client whose readiness the test sets (no server: what is
// checked is the bookkeeping of waiting calls, which no real outage could time reliably).
function client(ready = false) {
  const state = { ready, unusable: null as string | null };
  const driver = { isReady: () => state.ready, unusable: () => state.unusable } as unknown as RedisDriver;
  return { state, driver };
}

const settled = async (promise: Promise<unknown>) => {
  let outcome: 'pending' | 'resolved' | Error = 'pending';
  promise.then(
    () => (outcome = 'resolved'),
    (error: Error) => (outcome = error),
  );
  await vi.advanceTimersByTimeAsync(0);
  return () => outcome;
};

describe('ReadyGate: calls waiting for a client that is not ready', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('lets calls through once the client is ready', async () => {
    const { state, driver } = client();
    const gate = new ReadyGate(driver, 10);
    const outcome = await settled(gate.wait(Date.now() + 5000));
    expect(outcome()).toBe('pending');
    state.ready = true;
    await vi.advanceTimersByTimeAsync(20);
    expect(outcome()).toBe('resolved');
  });

  it('fails a call at its deadline, and it is never let through afterwards', async () => {
    const { state, driver } = client();
    const gate = new ReadyGate(driver, 10);
    const outcome = await settled(gate.wait(Date.now() + 500));
    await vi.advanceTimersByTimeAsync(520);
    expect(outcome()).toBeInstanceOf(Error);
    state.ready = true;
    await vi.advanceTimersByTimeAsync(20);
    expect(outcome()).toBeInstanceOf(Error);
  });

  it('holds at most maxWaiting calls: more fail at once (bounded memory in an outage)', async () => {
    const { driver } = client();
    const gate = new ReadyGate(driver, 3);
    const waiting = await Promise.all([1, 2, 3].map(() => settled(gate.wait(Date.now() + 5000))));
    const extra = await settled(gate.wait(Date.now() + 5000));
    for (const outcome of waiting) expect(outcome()).toBe('pending');
    expect(String(extra())).toMatch(/3 calls already wait for it/);
  });

  it(`waits at most ${MAX_WAIT_FOR_READY_MS} ms from the first waiting call; later calls then fail at once`, async () => {
    const { driver } = client();
    const gate = new ReadyGate(driver, 100);
    const first = await settled(gate.wait(Date.now() + 60_000));
    await vi.advanceTimersByTimeAsync(MAX_WAIT_FOR_READY_MS / 2);
    const second = await settled(gate.wait(Date.now() + 60_000));
    expect(first()).toBe('pending');
    await vi.advanceTimersByTimeAsync(MAX_WAIT_FOR_READY_MS / 2 + 20);
    expect(String(first())).toMatch(/not reachable/);
    expect(String(second())).toMatch(/not reachable/);
  });

  it('fails every waiting call when the client becomes unusable or the store closes', async () => {
    const { state, driver } = client();
    const gate = new ReadyGate(driver, 10);
    const before = await settled(gate.wait(Date.now() + 5000));
    state.unusable = 'the ioredis client has been closed';
    await vi.advanceTimersByTimeAsync(20);
    expect(String(before())).toMatch(/has been closed/);
    state.unusable = null;
    const closing = await settled(gate.wait(Date.now() + 5000));
    gate.close();
    await vi.advanceTimersByTimeAsync(0);
    expect(String(closing())).toMatch(/store is closed/);
  });
});
