import assert from 'node:assert/strict';
import { inspect } from 'node:util';

/**
 * Checks that `value` is what a store may return as a session (clause 7): a plain object, not
 * a string, Buffer or class instance, with only plain objects and arrays inside. Returns a
 * copy made of ordinary objects (own `__proto__` keys kept as data) for deep comparison.
 */
export function plainTree(value: unknown, path = 'session'): unknown {
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    value === undefined
  )
    return value;
  if (value instanceof Date) return value;
  if (typeof value !== 'object')
    throw new assert.AssertionError({ message: `${path} is a ${typeof value}, not JSON data` });
  if (Buffer.isBuffer(value) || ArrayBuffer.isView(value))
    throw new assert.AssertionError({ message: `${path} is a Buffer or typed array, not a plain object` });
  if (Array.isArray(value)) return value.map((item, index) => plainTree(item, `${path}[${index}]`));
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    const name = (proto as { constructor?: { name?: string } } | null)?.constructor?.name ?? 'unknown';
    throw new assert.AssertionError({
      message: `${path} is not a plain object: its prototype is ${name} (${inspect(proto, { depth: 1 })})`,
    });
  }
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    Object.defineProperty(copy, key, {
      value: plainTree((value as Record<string, unknown>)[key], `${path}.${key}`),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/**
 * Asserts that a returned session deep-equals the expected JSON form. `cookie.expires` may be
 * a Date or an ISO string, and may differ from the expected one by up to the store's declared
 * granularity (a store may report the backend's own expiry). Everything else must be exact.
 */
export function assertSessionEquals(actual: unknown, expected: unknown, granularityMs: number, message: string): void {
  if (actual === null || actual === undefined)
    throw new assert.AssertionError({ message: `${message}: the session is missing (got ${inspect(actual)})` });
  if (typeof actual === 'string')
    throw new assert.AssertionError({ message: `${message}: got a string, not an object` });
  const tree = plainTree(actual) as Record<string, unknown>;
  alignExpires(tree, expected, granularityMs);
  assert.deepStrictEqual(tree, expected, message);
}

function alignExpires(tree: Record<string, unknown>, expected: unknown, granularityMs: number): void {
  const cookie = tree.cookie as Record<string, unknown> | undefined;
  const expectedCookie = (expected as { cookie?: Record<string, unknown> } | null)?.cookie;
  if (!cookie || typeof cookie !== 'object' || !expectedCookie || !('expires' in cookie)) return;
  let expires = cookie.expires;
  if (expires instanceof Date) expires = expires.toISOString();
  const wanted = expectedCookie.expires;
  if (typeof expires === 'string' && typeof wanted === 'string') {
    const difference = Math.abs(Date.parse(expires) - Date.parse(wanted));
    if (difference <= granularityMs) expires = wanted;
  }
  cookie.expires = expires;
}

/** Every object and array reachable from `value` (for "shares no references"). */
export function objectsIn(value: unknown, found = new Set<object>()): Set<object> {
  if (value && typeof value === 'object' && !found.has(value)) {
    found.add(value);
    for (const key of Object.keys(value)) objectsIn((value as Record<string, unknown>)[key], found);
  }
  return found;
}
