import { describe, expect, it } from 'vitest';
import { withDeadline } from '../src/timeout';

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
