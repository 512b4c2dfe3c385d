import {
  DEFAULT_PAGE_SIZE,
  DEFAULT_PRUNE_BATCH_SIZE,
  DEFAULT_PRUNE_INTERVAL_SECONDS,
  MAX_TIMER_SECONDS,
} from './options';

/**
 * Option checks shared by every store. Each throws a TypeError naming the option and what was
 * expected, at construction, so a misconfigured store never starts.
 */
/** A value as an option error message shows it: strings quoted, objects by their kind. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

function fail(store: string, option: string, expected: string, value: unknown): never {
  throw new TypeError(`${store}: option "${option}" must be ${expected}, got ${describeValue(value)}`);
}

export function checkOptionsObject(store: string, options: unknown): Record<string, unknown> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${store}: options must be an object, got ${describeValue(options)}`);
  }
  return options as Record<string, unknown>;
}

/** A plain object (not null, not an array). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalObject(store: string, option: string, value: unknown): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  if (!isPlainObject(value)) fail(store, option, 'an object', value);
  return value;
}

export function optionalNumber(
  store: string,
  option: string,
  value: unknown,
  range: { min?: number; max?: number; integer?: boolean } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const { min = 0, max = Number.MAX_SAFE_INTEGER, integer = false } = range;
  const expected = `${integer ? 'an integer' : 'a number'} from ${min} to ${max}`;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max)
    fail(store, option, expected, value);
  if (integer && !Number.isInteger(value)) fail(store, option, expected, value);
  return value;
}

export function optionalBoolean(store: string, option: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') fail(store, option, 'a boolean', value);
  return value;
}

export function optionalString(
  store: string,
  option: string,
  value: unknown,
  pattern?: { regex: RegExp; description: string },
): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string') fail(store, option, 'a string', value);
  if (pattern && !pattern.regex.test(value)) fail(store, option, pattern.description, value);
  return value;
}

export function optionalFunction<T extends (...args: never[]) => unknown>(
  store: string,
  option: string,
  value: unknown,
): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') fail(store, option, 'a function', value);
  return value as T;
}

export function optionalOneOf<T extends string>(
  store: string,
  option: string,
  value: unknown,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  // Stryker disable next-line ConditionalExpression: equivalent, includes() compares with SameValueZero, so a non-string never matches an allowed string and fails either way
  if (typeof value !== 'string' || !allowed.includes(value as T))
    fail(store, option, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
  return value as T;
}

/** The `pageSize` option of stores that enumerate page by page: records per page. */
export function pageSize(store: string, value: unknown): number {
  return optionalNumber(store, 'pageSize', value, { min: 1, max: 100_000, integer: true }) ?? DEFAULT_PAGE_SIZE;
}

/** The `pruneBatchSize` option of stores that prune: records deleted per statement. */
export function pruneBatchSize(store: string, value: unknown, max = 1_000_000): number {
  return optionalNumber(store, 'pruneBatchSize', value, { min: 1, max, integer: true }) ?? DEFAULT_PRUNE_BATCH_SIZE;
}

/**
 * A prune interval option in seconds, or `false` for no timer: the interval in ms, or false.
 * At most setTimeout's longest delay, which would otherwise fire at once and prune in a loop.
 */
export function pruneIntervalMs(
  store: string,
  option: string,
  value: unknown,
  defaultSeconds = DEFAULT_PRUNE_INTERVAL_SECONDS,
): number | false {
  if (value === false) return false;
  const seconds = value === undefined ? defaultSeconds : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMER_SECONDS)
    fail(store, option, `false or a number of seconds above 0 and at most ${MAX_TIMER_SECONDS}`, seconds);
  return seconds * 1000;
}

/** For options where exactly one way of reaching the backend must be given (client or url). */
export function exactlyOne(store: string, options: Record<string, unknown>, names: readonly string[]): string {
  const given = names.filter((name) => options[name] !== undefined);
  if (given.length !== 1) {
    throw new TypeError(
      `${store}: give exactly one of ${names.map((n) => `"${n}"`).join(', ')}${given.length ? `, got ${given.join(' and ')}` : ''}`,
    );
  }
  return given[0]!;
}

/** SQL identifiers (table, schema) and similar names: letters, digits, underscores. */
export const IDENTIFIER = {
  regex: /^[A-Za-z_][A-Za-z0-9_]{0,62}$/,
  description: 'an identifier of letters, digits and underscores (at most 63, not starting with a digit)',
};
