import { describe, expect, it } from 'vitest';
import { MAX_TIMER_SECONDS, validate } from '../src';

// The option checks every store builds on: each refusal names the store, the option, what was
// expected and what was given (cases found by mutation testing, bench/results/mutation.md).

const S = 'TestStore';

describe('describeValue', () => {
  it('shows each kind of value as an option error does', () => {
    expect(validate.describeValue(null)).toBe('null');
    expect(validate.describeValue([1])).toBe('an array');
    expect(validate.describeValue('x')).toBe('"x"');
    expect(validate.describeValue(5)).toBe('5');
    expect(validate.describeValue(false)).toBe('false');
    expect(validate.describeValue({})).toBe('object');
    expect(validate.describeValue(undefined)).toBe('undefined');
  });
});

describe('checkOptionsObject and optionalObject', () => {
  it('takes undefined as no options and refuses anything but a plain object', () => {
    expect(validate.checkOptionsObject(S, undefined)).toEqual({});
    const options = { a: 1 };
    expect(validate.checkOptionsObject(S, options)).toBe(options);
    for (const bad of [null, [], 'x', 5])
      expect(() => validate.checkOptionsObject(S, bad)).toThrow(/^TestStore: options must be an object, got /);
    expect(validate.optionalObject(S, 'o', undefined)).toBeUndefined();
    expect(validate.optionalObject(S, 'o', options)).toBe(options);
    for (const bad of [null, [], 'x'])
      expect(() => validate.optionalObject(S, 'o', bad)).toThrow(/^TestStore: option "o" must be an object, got /);
  });
});

describe('optionalNumber', () => {
  it('accepts the bounds, refuses beyond them and non-finite or non-numbers, and integers when asked', () => {
    const range = { min: 1, max: 10 };
    expect(validate.optionalNumber(S, 'n', undefined, range)).toBeUndefined();
    expect(validate.optionalNumber(S, 'n', 1, range)).toBe(1);
    expect(validate.optionalNumber(S, 'n', 10, range)).toBe(10);
    expect(validate.optionalNumber(S, 'n', 2.5, range)).toBe(2.5);
    for (const bad of [0.5, 10.5, Number.NaN, Number.POSITIVE_INFINITY, '5'])
      expect(() => validate.optionalNumber(S, 'n', bad, range)).toThrow(
        /^TestStore: option "n" must be a number from 1 to 10, got /,
      );
    expect(() => validate.optionalNumber(S, 'n', 2.5, { ...range, integer: true })).toThrow(
      /must be an integer from 1 to 10, got 2\.5$/,
    );
    expect(validate.optionalNumber(S, 'n', 0)).toBe(0);
    expect(() => validate.optionalNumber(S, 'n', -1)).toThrow(/from 0 to /);
  });
});

describe('optionalBoolean, optionalString, optionalFunction, optionalOneOf', () => {
  it('pass undefined and the right type through, and refuse the rest', () => {
    expect(validate.optionalBoolean(S, 'b', undefined)).toBeUndefined();
    expect(validate.optionalBoolean(S, 'b', false)).toBe(false);
    expect(() => validate.optionalBoolean(S, 'b', 0)).toThrow(/^TestStore: option "b" must be a boolean, got 0$/);
    expect(validate.optionalString(S, 's', undefined)).toBeUndefined();
    expect(validate.optionalString(S, 's', 'x')).toBe('x');
    expect(() => validate.optionalString(S, 's', 5)).toThrow(/^TestStore: option "s" must be a string, got 5$/);
    expect(validate.optionalString(S, 's', 'table_1', validate.IDENTIFIER)).toBe('table_1');
    for (const bad of ['1table', 'a-b', 'x'.repeat(64)])
      expect(() => validate.optionalString(S, 's', bad, validate.IDENTIFIER)).toThrow(/must be an identifier/);
    expect(validate.optionalString(S, 's', 'x'.repeat(63), validate.IDENTIFIER)).toBe('x'.repeat(63));
    const fn = () => 1;
    expect(validate.optionalFunction(S, 'f', undefined)).toBeUndefined();
    expect(validate.optionalFunction(S, 'f', fn)).toBe(fn);
    expect(() => validate.optionalFunction(S, 'f', 'fn')).toThrow(/^TestStore: option "f" must be a function/);
    expect(validate.optionalOneOf(S, 'e', undefined, ['a', 'b'])).toBeUndefined();
    expect(validate.optionalOneOf(S, 'e', 'b', ['a', 'b'])).toBe('b');
    for (const bad of ['c', 1])
      expect(() => validate.optionalOneOf(S, 'e', bad, ['a', 'b'])).toThrow(
        /^TestStore: option "e" must be one of "a", "b", got /,
      );
  });
});

describe('pageSize, pruneBatchSize, pruneIntervalMs', () => {
  it('default, bound and convert', () => {
    expect(validate.pageSize(S, undefined)).toBeGreaterThan(0);
    expect(validate.pageSize(S, 100_000)).toBe(100_000);
    for (const bad of [0, 100_001, 1.5]) expect(() => validate.pageSize(S, bad)).toThrow(/"pageSize"/);
    expect(validate.pruneBatchSize(S, undefined)).toBeGreaterThan(0);
    expect(validate.pruneBatchSize(S, 5, 5)).toBe(5);
    expect(() => validate.pruneBatchSize(S, 6, 5)).toThrow(/"pruneBatchSize" must be an integer from 1 to 5/);
    expect(validate.pruneIntervalMs(S, 'p', false)).toBe(false);
    expect(validate.pruneIntervalMs(S, 'p', undefined, 7)).toBe(7000);
    expect(validate.pruneIntervalMs(S, 'p', MAX_TIMER_SECONDS)).toBe(MAX_TIMER_SECONDS * 1000);
    for (const bad of [0, -1, MAX_TIMER_SECONDS + 1, Number.NaN, '5', true])
      expect(() => validate.pruneIntervalMs(S, 'p', bad)).toThrow(
        /^TestStore: option "p" must be false or a number of seconds above 0 and at most /,
      );
  });
});

describe('exactlyOne', () => {
  it('names the one given, and refuses none or several, saying which', () => {
    expect(validate.exactlyOne(S, { url: 'x' }, ['client', 'url'])).toBe('url');
    expect(() => validate.exactlyOne(S, {}, ['client', 'url'])).toThrow(
      /^TestStore: give exactly one of "client", "url"$/,
    );
    expect(() => validate.exactlyOne(S, { client: 1, url: 'x' }, ['client', 'url'])).toThrow(
      /^TestStore: give exactly one of "client", "url", got client and url$/,
    );
  });
});
