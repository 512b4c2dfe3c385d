/** A Node-style callback, as express-session passes them. */
export type Callback<T> = (error: unknown, value?: T) => void;

const ignore = (): void => {};

/**
 * Delivers an operation's outcome to a callback, or hands the promise back when there is none.
 *
 * - The callback runs on its own tick, outside the promise chain: it is always asynchronous
 *   (clause 52), and if it throws, the exception surfaces as an ordinary uncaught exception
 *   instead of being caught and fed back into the same callback a second time (clause 34).
 * - With a callback, no promise is returned, so nothing can reject unhandled (clause 53).
 * - Without one, the returned promise carries a no-op handler: a caller that fires and forgets
 *   (express-session calls `destroy(sid)` with no callback) never gets an unhandled rejection,
 *   while a caller that awaits still sees the error (clause 6).
 */
export function deliver<T>(outcome: Promise<T>, callback: unknown): Promise<T> | undefined {
  if (typeof callback === 'function') {
    const cb = callback as Callback<T>;
    outcome.then(
      (value) => process.nextTick(cb, null, value),
      (error: unknown) => process.nextTick(cb, error),
    );
    return undefined;
  }
  outcome.catch(ignore);
  return outcome;
}
