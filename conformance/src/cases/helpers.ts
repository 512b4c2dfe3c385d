import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { CallbackOutcome } from '../calls';
import { assertSessionEquals } from '../compare';
import type { CaseContext } from '../context';
import { describeFaults, type ProcessFault } from '../process-faults';
import { jsonForm } from '../sessions';
import type { StoreUnderTest } from '../types';

/** A `get` result that means "not found": null, or tolerated undefined (clause 2). */
export function assertMiss(value: unknown, what: string): void {
  if (value !== null && value !== undefined) {
    throw new assert.AssertionError({
      message: `${what}: expected a miss (null), got ${inspect(value, { depth: 3 })}`,
      actual: value,
      expected: null,
    });
  }
}

/** get(sid) on `store` returns exactly the JSON form of `session`. */
export async function assertStored(
  context: CaseContext,
  sid: string,
  session: unknown,
  what: string,
  store: StoreUnderTest = context.store,
): Promise<void> {
  const got = await context.get(sid, store);
  assertSessionEquals(got, jsonForm(session), context.granularityMs, what);
}

export async function assertGone(
  context: CaseContext,
  sid: string,
  what: string,
  store: StoreUnderTest = context.store,
): Promise<void> {
  assertMiss(await context.get(sid, store), what);
}

/** The callback got an Error instance (clause 32, 39, 54). */
export function assertCalledBackWithError(outcome: CallbackOutcome<unknown>, what: string): Error {
  if (!(outcome.error instanceof Error)) {
    throw new assert.AssertionError({
      message: `${what}: ${outcome.label} should call back with an Error, got error=${inspect(outcome.error)} value=${inspect(outcome.value, { depth: 2 })}`,
    });
  }
  return outcome.error;
}

export function assertNoProcessFaults(faults: readonly ProcessFault[], what: string): void {
  if (faults.length > 0) {
    throw new assert.AssertionError({ message: `${what}: errors escaped to the process: ${describeFaults(faults)}` });
  }
}

/** A session that JSON cannot serialize: it refers to itself. */
export function circularSession(context: CaseContext, sid: string): Record<string, unknown> {
  const session = context.session(sid, { n: 1 }) as Record<string, unknown>;
  const loop: Record<string, unknown> = { name: 'loop' };
  loop.self = loop;
  session.loop = loop;
  return session;
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}

/** The results of `ids()`, checked to be an array of strings. */
export function asIdList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((id) => typeof id === 'string')) {
    throw new assert.AssertionError({
      message: `${what}: ids() should call back with an array of strings, got ${inspect(value, { depth: 2 })}`,
    });
  }
  return value as string[];
}

/** The results of `all()`, checked to be an array of objects carrying a string `id` (clause 23). */
export function asSessionList(value: unknown, what: string): Record<string, unknown>[] {
  if (!Array.isArray(value)) {
    throw new assert.AssertionError({
      message: `${what}: all() should call back with an array of sessions, got ${inspect(value, { depth: 1 })}`,
    });
  }
  for (const element of value) {
    if (!element || typeof element !== 'object' || typeof (element as { id?: unknown }).id !== 'string') {
      throw new assert.AssertionError({
        message: `${what}: every element of all() must carry its sid in a string "id" field, got ${inspect(element, { depth: 1 })}`,
      });
    }
  }
  return value as Record<string, unknown>[];
}

/** Asserts `actual` lists exactly `expected` (order free, no duplicates). */
export function assertSameIds(actual: readonly string[], expected: Iterable<string>, what: string): void {
  const duplicates = actual.filter((id, index) => actual.indexOf(id) !== index);
  if (duplicates.length > 0)
    throw new assert.AssertionError({
      message: `${what}: sids listed more than once: ${inspect(duplicates.slice(0, 5))}`,
    });
  assert.deepStrictEqual(sorted(actual), sorted(expected), `${what}: the listed sids differ from the live ones`);
}

/** A session returned by all() without its `id`, for comparing with what was set. */
export function withoutId(element: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(element)) {
    if (key !== 'id')
      Object.defineProperty(copy, key, { value: element[key], enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/**
 * Where `value` holds one of `secrets`: the paths of the strings that contain one, through own
 * properties (enumerable or not, symbols too, getters read), array items and causes, at any
 * depth. `stack` is left out: it repeats the message, and V8 writes it lazily.
 */
export function secretsIn(
  value: unknown,
  secrets: readonly string[],
  path = 'error',
  seen = new Set<object>(),
): string[] {
  if (typeof value === 'string') return secrets.some((secret) => value.includes(secret)) ? [path] : [];
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null || seen.has(value)) return [];
  seen.add(value);
  const found: string[] = [];
  for (const key of Reflect.ownKeys(value)) {
    if (key === 'stack') continue;
    let child: unknown;
    try {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      child = descriptor && 'value' in descriptor ? descriptor.value : (value as Record<PropertyKey, unknown>)[key];
    } catch {
      continue;
    }
    found.push(...secretsIn(child, secrets, `${path}.${String(key)}`, seen));
  }
  return found;
}

/** Fails when an error or event argument carries the sid or the session's contents (clause 66). */
export function assertNoSecrets(value: unknown, secrets: readonly string[], what: string): void {
  const paths = secretsIn(value, secrets);
  if (paths.length > 0) {
    throw new assert.AssertionError({
      message: `${what} carries the sid or the session's contents at ${paths.slice(0, 5).join(', ')}: a logger writing it would leak a credential or user data`,
    });
  }
}
