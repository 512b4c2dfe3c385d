import { describe, expect, it } from 'vitest';
import { deliver } from '../src';

describe('deliver(outcome, callback)', () => {
  it('calls the callback after the caller returns, exactly once, with the value', async () => {
    const calls: unknown[][] = [];
    let returned = false;
    deliver(Promise.resolve(42), (...args: unknown[]) => calls.push([returned, ...args]));
    returned = true;
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(calls).toEqual([[true, null, 42]]);
  });

  it('passes a rejection to the callback as its first argument', async () => {
    const error = new Error('boom');
    const seen = await new Promise((resolve) => deliver(Promise.reject(error), resolve));
    expect(seen).toBe(error);
  });

  it('returns nothing when given a callback, and the promise otherwise', async () => {
    expect(deliver(Promise.resolve(1), () => {})).toBeUndefined();
    await expect(deliver(Promise.resolve(1), undefined)).resolves.toBe(1);
  });

  it('lets an ignored rejected promise go without an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      deliver(Promise.reject(new Error('ignored')), undefined);
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('does not call a throwing callback a second time', async () => {
    let calls = 0;
    const thrown: unknown[] = [];
    const onUncaught = (error: unknown) => thrown.push(error);
    const listeners = process.listeners('uncaughtException');
    process.removeAllListeners('uncaughtException');
    process.on('uncaughtException', onUncaught);
    try {
      deliver(Promise.resolve('x'), () => {
        calls += 1;
        throw new Error('callback bug');
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off('uncaughtException', onUncaught);
      for (const listener of listeners) process.on('uncaughtException', listener);
    }
    expect(calls).toBe(1);
    expect(thrown).toHaveLength(1);
  });
});
