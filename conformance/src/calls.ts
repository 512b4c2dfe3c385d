import { inspect } from 'node:util';
import type { StoreUnderTest } from './types';
import { delay, withDeadline } from './timing';

/** The store methods that take a Node-style callback last. */
export type CallbackMethod =
  | 'get'
  | 'set'
  | 'touch'
  | 'destroy'
  | 'all'
  | 'ids'
  | 'length'
  | 'clear'
  | 'userSessions'
  | 'countUserSessions'
  | 'destroyUserSessions';

type AnyFunction = (...args: unknown[]) => unknown;

/** What one callback-style call did. */
export interface CallbackOutcome<T> {
  readonly label: string;
  /** First argument of the first callback call. */
  readonly error: unknown;
  /** Second argument of the first callback call. */
  readonly value: T | undefined;
  /** The callback ran before the method returned (clause 52). */
  readonly synchronous: boolean;
  /** What the method returned (ignored by express-session). */
  readonly returned: unknown;
  /** How many times the callback has been called so far; keeps counting after the first. */
  callCount(): number;
}

/** Throws when `store[method]` is not a function: the test then fails naming the method. */
export function methodOf(store: StoreUnderTest, method: string): AnyFunction {
  const fn = (store as unknown as Record<string, unknown>)[method];
  if (typeof fn !== 'function') throw new Error(`store.${method} is not a function`);
  return fn as AnyFunction;
}

/** `store.get("<sid>")` with long arguments shortened, for messages. */
export function callLabel(method: string, args: readonly unknown[]): string {
  const shown = args.map((arg) => {
    if (typeof arg === 'string') return JSON.stringify(arg.length > 60 ? `${arg.slice(0, 57)}...` : arg);
    if (arg && typeof arg === 'object') return 'session';
    return inspect(arg);
  });
  return `store.${method}(${shown.join(', ')})`;
}

/**
 * Calls `store[method](...args, callback)` and resolves when the callback first runs, or
 * rejects after `timeoutMs` (a hanging store fails the test with a message instead of
 * hanging the run). A synchronous throw rejects too. The returned promise, if any, is left
 * alone, as express-session leaves it: if it rejects unhandled, that is the store's fault.
 */
export function callWithCallback<T = unknown>(
  store: StoreUnderTest,
  method: CallbackMethod | string,
  args: readonly unknown[],
  timeoutMs: number,
): Promise<CallbackOutcome<T>> {
  const label = callLabel(method, args);
  return new Promise((resolve, reject) => {
    let calls = 0;
    let returned = false;
    let returnedValue: unknown;
    let synchronous = false;
    let first: { error: unknown; value: T | undefined } | undefined;
    const timer = setTimeout(() => reject(new Error(`${label} did not call back within ${timeoutMs} ms`)), timeoutMs);
    const finish = () => {
      if (!first || !returned) return;
      clearTimeout(timer);
      resolve({
        label,
        error: first.error,
        value: first.value,
        synchronous,
        returned: returnedValue,
        callCount: () => calls,
      });
    };
    const callback = (error: unknown, value?: T) => {
      calls += 1;
      if (calls > 1) return;
      if (!returned) synchronous = true;
      first = { error, value };
      finish();
    };
    try {
      returnedValue = methodOf(store, method).call(store, ...args, callback);
    } catch (error) {
      clearTimeout(timer);
      reject(new Error(`${label} threw synchronously: ${describeError(error)}`, { cause: error }));
      return;
    }
    returned = true;
    finish();
  });
}

/** Calls `store[method](...args)` with no callback; it must return a promise (clause 53). */
export async function callWithPromise<T = unknown>(
  store: StoreUnderTest,
  method: CallbackMethod | string,
  args: readonly unknown[],
  timeoutMs: number,
): Promise<T> {
  const label = callLabel(method, args);
  let returned: unknown;
  try {
    returned = methodOf(store, method).call(store, ...args);
  } catch (error) {
    throw new Error(`${label} threw synchronously: ${describeError(error)}`, { cause: error });
  }
  if (!isThenable(returned)) {
    throw new Error(`${label} called without a callback returned ${inspect(returned)}, not a Promise`);
  }
  return withDeadline(
    returned as PromiseLike<T>,
    timeoutMs,
    () => `the promise of ${label} did not settle within ${timeoutMs} ms`,
  );
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/**
 * Waits until a native promise has settled, without attaching a handler: attaching one would
 * hide the unhandled rejection the test is looking for. Non-native thenables are not waited for.
 */
export async function waitForSettledWithoutHandling(value: unknown, timeoutMs: number): Promise<void> {
  if (!(value instanceof Promise)) return;
  const deadline = Date.now() + timeoutMs;
  while (inspect(value).includes('<pending>')) {
    if (Date.now() > deadline) throw new Error(`the returned promise was still pending after ${timeoutMs} ms`);
    await delay(10);
  }
}

export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}: ${error.message}${code === undefined ? '' : ` (code ${String(code)})`}`;
  }
  return inspect(error);
}
