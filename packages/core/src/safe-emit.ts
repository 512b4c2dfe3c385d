/**
 * One way to run user code (event listeners, hooks such as `errorLog`) from a store's
 * background paths: timers, connection monitors, promise callbacks. What that code throws must
 * never end the process (it would, as an uncaught exception or an unhandled rejection) and
 * never break the store; it is reported with `process.emitWarning`, the channel Node keeps for
 * exactly this, under the code below.
 */
export const LISTENER_THREW_CODE = 'ERR_SESSION_STORE_LISTENER_THREW';

interface Emitter {
  emit(event: string, ...args: unknown[]): boolean;
  rawListeners?(event: string): unknown[];
}

/** Reports what a listener or hook threw; never throws itself. */
export function reportUserCodeThrew(store: string, what: string, thrown: unknown): void {
  try {
    const message = thrown instanceof Error ? thrown.message || thrown.name : String(thrown);
    process.emitWarning(`${store}: ${what} threw: ${message}`, {
      code: LISTENER_THREW_CODE,
      detail: thrown instanceof Error ? thrown.stack : undefined,
    });
  } catch {
    // process.emitWarning only throws on bad arguments, and String() on an exotic value;
    // nothing is left to report to.
  }
}

/**
 * Emits `event` now, as `emitter.emit` does, but a listener that throws is reported (see
 * above) instead of throwing into the caller, and the listeners after it still run: one
 * app's broken `disconnect` listener must not keep express-session's from hearing it.
 * Returns whether the event had listeners.
 */
export function emitSafely(emitter: Emitter, store: string, event: string, ...args: unknown[]): boolean {
  // rawListeners keeps `once` wrappers, which remove themselves when called, as emit does.
  const listeners = emitter.rawListeners?.(event);
  if (!listeners) {
    try {
      return emitter.emit(event, ...args);
    } catch (thrown) {
      reportUserCodeThrew(store, `a "${event}" listener`, thrown);
      return true;
    }
  }
  for (const listener of listeners) {
    try {
      (listener as (...a: unknown[]) => unknown).apply(emitter, args);
    } catch (thrown) {
      reportUserCodeThrew(store, `a "${event}" listener`, thrown);
    }
  }
  return listeners.length > 0;
}

/**
 * Calls a user hook (`errorLog`, a logger) from a background path: what it throws, or the
 * promise it returns rejecting, is reported instead of ending the process.
 */
export function callHookSafely<A extends unknown[]>(
  store: string,
  hookName: string,
  hook: ((...args: A) => unknown) | null | undefined,
  ...args: A
): void {
  if (typeof hook !== 'function') return;
  try {
    const returned = hook(...args);
    if (typeof (returned as PromiseLike<unknown> | null)?.then === 'function') {
      Promise.resolve(returned).catch((thrown: unknown) =>
        reportUserCodeThrew(store, `the "${hookName}" hook`, thrown),
      );
    }
  } catch (thrown) {
    reportUserCodeThrew(store, `the "${hookName}" hook`, thrown);
  }
}
