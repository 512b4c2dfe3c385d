/**
 * A serializer's `parse` may return a Promise (connect-redis documents
 * `parse(s): SessionData | Promise<SessionData>`): the store awaits it, and never hands the
 * Promise itself back as a session.
 */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** `value`, or what it resolves to, passed to `then`; synchronous when `value` is not a Promise. */
export function thenMaybe<T, R>(value: T | PromiseLike<T>, then: (resolved: T) => R): R | Promise<Awaited<R>> {
  if (isThenable(value)) return Promise.resolve(value).then(then) as Promise<Awaited<R>>;
  return then(value as T);
}
