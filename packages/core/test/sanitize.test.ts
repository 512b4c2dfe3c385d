import { describe, expect, it } from 'vitest';
import { SCRUBBED, holdsSecret, sanitizeCause, scrub } from '../src/sanitize';

const SID = 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6';

describe('holdsSecret and scrub', () => {
  it('find and replace every occurrence of a secret of at least 8 characters', () => {
    expect(holdsSecret(`key sess:${SID} missing`, [SID])).toBe(true);
    expect(holdsSecret('key sess:other missing', [SID])).toBe(false);
    expect(holdsSecret('abcdefgh', ['abcdefgh'])).toBe(true); // exactly 8: scrubbed
    expect(holdsSecret('abcdefg', ['abcdefg'])).toBe(false); // 7: too short to be a sid
    expect(holdsSecret('x', ['abcdefgh', 'x'])).toBe(false);
    expect(holdsSecret('no secret here', [])).toBe(false);
    expect(scrub(`${SID} and ${SID}`, [SID])).toBe(`${SCRUBBED} and ${SCRUBBED}`);
    expect(scrub('abcdefgh!', ['abcdefgh'])).toBe(`${SCRUBBED}!`);
    expect(scrub('abcdefg!', ['abcdefg'])).toBe('abcdefg!');
  });
});

describe('sanitizeCause', () => {
  it('copies name, message and the kept fields, scrubbed, and nothing else of the original', () => {
    const original = Object.assign(new TypeError(`bad key sess:${SID}`), {
      code: `E_${SID}`,
      errno: -111,
      port: 6379,
      address: { host: '127.0.0.1' }, // not a string or number: dropped
      args: [`sess:${SID}`, '{"user":"ada"}'], // a driver's payload: never copied
      detail: `Key (sid)=(${SID}) already exists`,
    });
    const copy = sanitizeCause(original, [SID]);
    expect(copy).not.toBe(original);
    expect(copy).toBeInstanceOf(Error);
    expect(copy.name).toBe('TypeError');
    expect(Object.getOwnPropertyDescriptor(copy, 'name')).toMatchObject({ enumerable: false, writable: true });
    expect(copy.message).toBe(`bad key sess:${SCRUBBED}`);
    expect(copy).toMatchObject({ code: `E_${SCRUBBED}`, errno: -111, port: 6379 });
    expect(Object.keys(copy).sort()).toEqual(['code', 'errno', 'port']);
    expect(JSON.stringify(copy)).not.toContain(SID);
  });

  it('gives a plain Error no own name, and names an unnamed or oddly named cause "Error"', () => {
    expect(Object.hasOwn(sanitizeCause(new Error('x')), 'name')).toBe(false);
    expect(sanitizeCause({ name: '', message: 'm' }).name).toBe('Error');
    expect(sanitizeCause({ name: 42, message: 'm' }).name).toBe('Error');
    const throwingName = Object.defineProperty({ message: 'm' }, 'name', {
      get() {
        throw new Error('no name');
      },
    });
    expect(sanitizeCause(throwingName).name).toBe('Error');
    expect(sanitizeCause({ name: 'MongoServerError', message: 'm' }).name).toBe('MongoServerError');
  });

  it('takes a message from strings, objects and anything String() can render', () => {
    expect(sanitizeCause(`refused ${SID}`, [SID]).message).toBe(`refused ${SCRUBBED}`);
    expect(sanitizeCause({ message: 'from an object' }).message).toBe('from an object');
    expect(sanitizeCause(42).message).toBe('42');
    expect(sanitizeCause(Object.create(null)).message).toBe('object');
  });

  it('skips a kept field whose getter throws, and keeps the others', () => {
    const original = Object.defineProperty(Object.assign(new Error('m'), { code: 'ECONNRESET' }), 'errno', {
      get() {
        throw new Error('no errno');
      },
    });
    const copy = sanitizeCause(original) as Error & { code?: string; errno?: number };
    expect(copy.code).toBe('ECONNRESET');
    expect(Object.hasOwn(copy, 'errno')).toBe(false);
  });

  it("keeps the original stack's frames, scrubbed, under a first line naming the copy", () => {
    const original = new RangeError(`late ${SID}`);
    original.stack = [
      `RangeError: late ${SID}`,
      `more message text mentioning at ${SID}`,
      `    at handler (/app/sess:${SID}.js:1:1)`,
      '    at run (/app/run.js:2:2)',
    ].join('\n');
    const copy = sanitizeCause(original, [SID]);
    expect(copy.stack).toBe(
      [
        `RangeError: late ${SCRUBBED}`,
        `    at handler (/app/sess:${SCRUBBED}.js:1:1)`,
        '    at run (/app/run.js:2:2)',
      ].join('\n'),
    );
    expect(Object.getOwnPropertyDescriptor(copy, 'stack')?.enumerable).toBe(false);
    expect(sanitizeCause('plain text').stack).toBe('Error: plain text');
  });

  it('copies a chain of causes down to four levels, each scrubbed and non-enumerable', () => {
    let chain: Error = new Error(`level 6 ${SID}`);
    for (let level = 5; level >= 0; level -= 1) chain = new Error(`level ${level} ${SID}`, { cause: chain });
    const copy = sanitizeCause(chain, [SID]);
    const levels: string[] = [];
    for (let at: unknown = copy; at instanceof Error; at = at.cause) levels.push(at.message);
    expect(levels).toEqual([0, 1, 2, 3, 4].map((level) => `level ${level} ${SCRUBBED}`));
    expect(Object.getOwnPropertyDescriptor(copy, 'cause')).toMatchObject({
      enumerable: false,
      writable: true,
      configurable: true,
    });
    expect(Object.hasOwn(sanitizeCause(new Error('no cause')), 'cause')).toBe(false);
    // A cause on something that is not an Error is not followed.
    expect(Object.hasOwn(sanitizeCause({ message: 'm', cause: new Error('inner') }), 'cause')).toBe(false);
  });

  it("copies an AggregateError's first ten errors, each sanitized, and their own causes", () => {
    const inner = Array.from(
      { length: 12 },
      (_, index) => new Error(`node ${index} ${SID}`, { cause: new Error(`why ${index}`) }),
    );
    const copy = sanitizeCause(new AggregateError(inner, 'all nodes failed'), [SID]) as Error & { errors: Error[] };
    expect(copy.errors.map((error) => error.message)).toEqual(
      Array.from({ length: 10 }, (_, index) => `node ${index} ${SCRUBBED}`),
    );
    expect(copy.errors[3]!.cause).toMatchObject({ message: 'why 3' });
    expect(Object.getOwnPropertyDescriptor(copy, 'errors')?.enumerable).toBe(false);
    // Deep in a chain, errors stop where causes stop.
    let deep: Error = new AggregateError([new Error('leaf')], 'deepest');
    for (let level = 3; level >= 0; level -= 1) deep = new Error(`level ${level}`, { cause: deep });
    let at: unknown = sanitizeCause(deep);
    for (let level = 0; level < 4; level += 1) at = (at as Error).cause;
    expect((at as Error).message).toBe('deepest');
    expect(Object.hasOwn(at as object, 'errors')).toBe(false);
  });

  it('stops as deep through errors as through causes: errors of errors of errors are not followed for ever', () => {
    let nested: Error = new Error('leaf');
    for (let level = 5; level >= 0; level -= 1) nested = new AggregateError([nested], `level ${level}`);
    let at = sanitizeCause(nested) as Error & { errors?: Error[] };
    const seen: string[] = [];
    while (at) {
      seen.push(at.message);
      at = at.errors?.[0] as Error & { errors?: Error[] };
    }
    expect(seen).toEqual(['level 0', 'level 1', 'level 2', 'level 3', 'level 4']);
  });
});
