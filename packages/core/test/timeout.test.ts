import { describe, expect, it, vi } from 'vitest';
import { DeadlineQueue, withDeadline } from '../src/timeout';
import { eventually } from './eventually';

const timedOut = () => new Error('timed out');
const never = () => new Promise<never>(() => {});
const after = <T>(ms: number, value: T) => new Promise<T>((resolve) => setTimeout(resolve, ms, value));

describe('withDeadline', () => {
  it('settles with the operation when it answers in time, and ignores the deadline afterwards', async () => {
    await expect(withDeadline(after(5, 'v'), 200, timedOut)).resolves.toBe('v');
    await expect(withDeadline(Promise.reject(new Error('boom')), 200, timedOut)).rejects.toThrow('boom');
  });

  it('rejects each call once its own deadline passes, whatever calls share the queue', async () => {
    const started = performance.now();
    const first = withDeadline(never(), 60, timedOut).catch((error: Error) => [error.message, performance.now()]);
    await after(30, null);
    const second = withDeadline(never(), 60, timedOut).catch((error: Error) => [error.message, performance.now()]);
    const quick = withDeadline(after(5, 'quick'), 60, timedOut);
    const [[firstMessage, firstAt], [secondMessage, secondAt]] = (await Promise.all([first, second])) as [
      [string, number],
      [string, number],
    ];
    expect(await quick).toBe('quick');
    expect([firstMessage, secondMessage]).toEqual(['timed out', 'timed out']);
    expect(firstAt - started).toBeGreaterThanOrEqual(59);
    // The second is not expired with the first (one timer serves both, armed again for it).
    expect(secondAt - firstAt).toBeGreaterThanOrEqual(20);
  });

  it('expires a call behind thousands of settled ones, and a late answer changes nothing', async () => {
    let finish: (value: string) => void = () => {};
    const slow = withDeadline(new Promise<string>((resolve) => (finish = resolve)), 40, timedOut);
    const many = Array.from({ length: 10_000 }, (_, index) => withDeadline(Promise.resolve(index), 40, timedOut));
    expect((await Promise.all(many)).length).toBe(10_000);
    await expect(slow).rejects.toThrow('timed out');
    finish('late');
    await expect(slow).rejects.toThrow('timed out');
  });
});

describe('withDeadline and onTimeout', () => {
  it('calls onTimeout only for operations still pending at their deadline', async () => {
    let late = 0;
    const counted = () => {
      late += 1;
      return timedOut();
    };
    await withDeadline(Promise.resolve(1), 17, counted);
    await expect(withDeadline(Promise.reject(new Error('down')), 17, counted)).rejects.toThrow('down');
    // A later call of the same queue expiring proves the deadlines of the two before it passed too.
    await expect(withDeadline(never(), 17, timedOut)).rejects.toThrow('timed out');
    expect(late).toBe(0);
  });
});

/** The queue's private state: what it keeps is the memory a busy store holds for its deadlines. */
const stateOf = (queue: DeadlineQueue) => queue as unknown as { entries: { settled: boolean }[]; head: number };
const noop = () => {};

describe('DeadlineQueue keeps about the calls in flight', () => {
  it('drops settled calls from the head as calls are added, and empties once none is pending', () => {
    const queue = new DeadlineQueue(60_000);
    const [first, second] = [queue.add(noop), queue.add(noop)];
    first.settled = true;
    const third = queue.add(noop);
    expect(stateOf(queue).entries).toEqual([first, second, third]);
    expect(stateOf(queue).head).toBe(1);
    second.settled = true;
    third.settled = true;
    const fourth = queue.add(noop);
    expect(stateOf(queue)).toMatchObject({ entries: [fourth], head: 0 });
    fourth.settled = true;
  });

  it('compacts once more than 1024 settled calls lead and they are at least half of it', () => {
    const queue = new DeadlineQueue(60_000);
    const added = Array.from({ length: 2000 }, () => queue.add(noop));
    for (const pending of added.slice(0, 1500)) pending.settled = true;
    queue.add(noop);
    expect(stateOf(queue).head).toBe(0);
    expect(stateOf(queue).entries).toHaveLength(501);
    expect(stateOf(queue).entries[0]).toBe(added[1500]);
    for (const pending of stateOf(queue).entries) pending.settled = true;
  });

  it('does not compact while the settled lead is under half, or at most 1024', () => {
    const queue = new DeadlineQueue(60_000);
    const added = Array.from({ length: 3000 }, () => queue.add(noop));
    for (const pending of added.slice(0, 1100)) pending.settled = true;
    queue.add(noop);
    expect(stateOf(queue)).toMatchObject({ head: 1100 });
    expect(stateOf(queue).entries).toHaveLength(3001);
    const exact = new DeadlineQueue(60_000);
    const halves = Array.from({ length: 2048 }, () => exact.add(noop));
    for (const pending of halves.slice(0, 1024)) pending.settled = true;
    exact.add(noop);
    expect(stateOf(exact).head).toBe(0);
    expect(stateOf(exact).entries).toHaveLength(1025);
    for (const pending of [...stateOf(queue).entries, ...stateOf(exact).entries]) pending.settled = true;
  });

  it('filters out the settled calls behind one slow call once 4096 are queued', () => {
    const queue = new DeadlineQueue(60_000);
    const slow = queue.add(noop);
    const quick = Array.from({ length: 4095 }, () => queue.add(noop));
    for (const pending of quick) pending.settled = true;
    const next = queue.add(noop);
    expect(stateOf(queue)).toMatchObject({ entries: [slow, next], head: 0 });
    slow.settled = true;
    next.settled = true;
  });

  it('empties after a sweep that expires the last pending call', async () => {
    const queue = new DeadlineQueue(5);
    let expired = 0;
    queue.add(() => (expired += 1));
    const settled = queue.add(noop);
    settled.settled = true;
    await after(30, null);
    await eventually(() => expired === 1);
    expect(stateOf(queue)).toMatchObject({ entries: [], head: 0 });
  });
});

describe('withDeadline arms few timers', () => {
  // One timer per queue (per `ms`), waiting for its head: a timer per call, or one that fires
  // every millisecond until the deadline, would cost CPU on every store call (see timeout.ts).
  it('arms one timer for many pending calls sharing a deadline, and does not poll while they wait', async () => {
    const ms = 3_217; // a deadline no other test uses, so its queue starts empty
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const delays = () => spy.mock.calls.map(([, delay]) => delay);
    try {
      const settle: (() => void)[] = [];
      const calls = Array.from({ length: 10 }, () =>
        withDeadline(new Promise<void>((resolve) => settle.push(resolve)), ms, timedOut),
      );
      expect(delays().filter((delay) => delay === ms)).toHaveLength(1);
      await after(50, null);
      expect(delays().filter((delay) => delay !== undefined && delay < 50)).toEqual([]);
      for (const resolve of settle) resolve();
      await Promise.all(calls);
    } finally {
      spy.mockRestore();
    }
  });
});
