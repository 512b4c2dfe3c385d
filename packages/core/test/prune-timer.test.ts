import { describe, expect, it } from 'vitest';
import { PruneTimer } from '../src';
import { eventually } from './eventually';

describe('PruneTimer', () => {
  it('jitters each delay within ±jitter of the interval', () => {
    const timer = new PruneTimer(
      1000,
      0.25,
      async () => {},
      () => {},
    );
    expect(timer.nextDelayMs(0)).toBe(750);
    expect(timer.nextDelayMs(0.5)).toBe(1000);
    expect(timer.nextDelayMs(1)).toBe(1250);
    expect(
      new PruneTimer(
        1000,
        0,
        async () => {},
        () => {},
      ).nextDelayMs(0.9),
    ).toBe(1000);
    expect(
      new PruneTimer(
        1,
        0.5,
        async () => {},
        () => {},
      ).nextDelayMs(0),
    ).toBe(1);
  });

  it("never keeps the process alive: its timer is unref'd", () => {
    const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
    const before = timers();
    const timer = new PruneTimer(
      60_000,
      0,
      async () => {},
      () => {},
    );
    timer.start();
    expect(timers()).toBe(before);
    timer.stop();
  });

  it('runs again after a failure, reporting each', async () => {
    const failures: unknown[] = [];
    let runs = 0;
    const timer = new PruneTimer(
      2,
      0,
      async () => {
        runs += 1;
        throw new Error(`run ${runs} failed`);
      },
      (error) => failures.push(error),
    );
    timer.start();
    await eventually(() => failures.length >= 2);
    timer.stop();
    expect(failures.slice(0, 2)).toMatchObject([{ message: 'run 1 failed' }, { message: 'run 2 failed' }]);
  });

  it('does not report a run that fails after stop(): the store closed under it', async () => {
    const failures: unknown[] = [];
    let fail: (error: Error) => void = () => {};
    let started = false;
    const timer = new PruneTimer(
      1,
      0,
      () => {
        started = true;
        return new Promise((_, reject) => (fail = reject));
      },
      (error) => failures.push(error),
    );
    timer.start();
    await eventually(() => started);
    timer.stop();
    fail(new Error('closed'));
    await new Promise((resolve) => setImmediate(resolve));
    expect(failures).toEqual([]);
  });

  it('never overlaps runs: the next is scheduled when the previous one ends', async () => {
    let running = 0;
    let most = 0;
    let runs = 0;
    const timer = new PruneTimer(
      1,
      0,
      async () => {
        running += 1;
        most = Math.max(most, running);
        runs += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        running -= 1;
      },
      () => {},
    );
    timer.start();
    await eventually(() => runs >= 3);
    timer.stop();
    expect(most).toBe(1);
  });

  it('reports a run that throws synchronously instead of throwing from the timer', async () => {
    const failures: unknown[] = [];
    const timer = new PruneTimer(
      1,
      0,
      () => {
        throw new Error('sync');
      },
      (error) => failures.push(error),
    );
    timer.start();
    await eventually(() => failures.length >= 1);
    timer.stop();
    expect(failures[0]).toMatchObject({ message: 'sync' });
  });
});
