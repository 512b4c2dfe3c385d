import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import type { ConformanceCase } from '../case';
import { assertSessionEquals } from '../compare';
import type { CaseContext } from '../context';
import { jsonForm } from '../sessions';
import { assertCalledBackWithError, assertStored } from './helpers';

const group = 'dataFidelity';
const MIB = 1024 * 1024;

async function roundTrip(context: CaseContext, data: Record<string, unknown>, what: string): Promise<void> {
  const sid = context.sid();
  const session = context.session(sid, data);
  await context.set(sid, session);
  await assertStored(context, sid, session, what);
}

/** A session whose JSON form is exactly `bytes` bytes long (ASCII payload). */
function sessionOfBytes(context: CaseContext, sid: string, bytes: number, marker: string): Record<string, unknown> {
  const session = context.session(sid, { marker, payload: '' });
  const overhead = Buffer.byteLength(JSON.stringify(session));
  const fill = 'abcdefghijklmnopqrstuvwxyz0123456789';
  const length = Math.max(0, bytes - overhead);
  session.payload = fill.repeat(Math.ceil(length / fill.length)).slice(0, length);
  return session;
}

/**
 * Sets `big` over a small previous value: either it round-trips whole, or the callback gets
 * an Error and the previous value is still there. Never a silent truncation or loss.
 */
async function bigSet(context: CaseContext, bytes: number, expect: 'round-trip' | 'fail' | 'either'): Promise<void> {
  const sid = context.sid();
  const previous = context.session(sid, { marker: 'previous' });
  await context.set(sid, previous);
  const big = sessionOfBytes(context, sid, bytes, 'big');
  const outcome = await context.call('set', [sid, big], context.store, context.callTimeoutMs * 3);
  if (expect === 'round-trip' && outcome.error) {
    throw new assert.AssertionError({
      message: `set of a ${bytes}-byte session failed although maxSessionBytes is ${String(context.capabilities.maxSessionBytes)}: ${inspect(outcome.error)}`,
    });
  }
  if (expect === 'fail') {
    const error = assertCalledBackWithError(
      outcome,
      `set of a ${bytes}-byte session over maxSessionBytes ${context.capabilities.maxSessionBytes}`,
    );
    assert.ok(error.message.length > 0, 'the error for an oversized session has no message');
  }
  if (outcome.error) {
    await assertStored(
      context,
      sid,
      previous,
      `get(sid) after set of a ${bytes}-byte session failed (the previous value must stay)`,
    );
  } else {
    const got = await context.get(sid);
    assert.ok(got, `get(sid) after set of a ${bytes}-byte session succeeded missed (silently dropped)`);
    assert.equal(typeof got.payload, 'string');
    assert.equal(
      (got.payload as string).length,
      (big.payload as string).length,
      `a ${bytes}-byte session came back truncated`,
    );
    assertSessionEquals(got, jsonForm(big), context.granularityMs, `get(sid) of a ${bytes}-byte session`);
  }
}

function pollutionReport(): string[] {
  const marks = ['polluted', 'hacked'];
  return marks.filter((mark) => mark in Object.prototype || mark in Array.prototype || mark in Function.prototype);
}

export const dataFidelityCases: ConformanceCase[] = [
  {
    clauses: [40],
    group,
    title:
      'nested objects and arrays (empty ones too), booleans, null, empty strings and the empty session round-trip exactly',
    async run(context) {
      await roundTrip(context, {}, 'get(sid) of the empty session ({ cookie } only)');
      await roundTrip(
        context,
        {
          nested: { a: { b: { c: { d: [1, [2, [3, []]]] } } } },
          emptyObject: {},
          emptyArray: [],
          arrayOfEmpties: [{}, [], '', null, false, 0],
          yes: true,
          no: false,
          nothing: null,
          emptyString: '',
          zero: 0,
          mixed: [1, 'two', { three: 3 }, [4], null, true],
        },
        'get(sid) of nested and empty values',
      );
    },
  },
  {
    clauses: [41],
    group,
    title:
      'Unicode in values and keys round-trips exactly: combining marks, RTL text, emoji, \\u0000 and lone surrogates',
    async run(context) {
      const values = {
        combining: 'e\u0301 a\u0308 \u1100\u1161\u11A8',
        rtl: 'שלום مرحبا \u202Eabc\u202C',
        emoji: '👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽',
        nul: 'before\u0000after',
        loneHigh: 'x\uD800y',
        loneLow: 'x\uDFFFy',
        controls: '\u0001\u001F\u007F\u0085\u2028\u2029',
        bom: '\uFEFFbom',
      };
      await roundTrip(context, values, 'get(sid) of Unicode values');
      await roundTrip(
        context,
        Object.fromEntries(Object.entries(values).map(([key, value]) => [`${value}`, key])),
        'get(sid) of Unicode keys',
      );
    },
  },
  {
    clauses: [42],
    group,
    title: 'values convert as JSON.stringify does: Date to its ISO string, undefined dropped, NaN to null, toJSON used',
    async run(context) {
      const sid = context.sid();
      const date = new Date('2024-02-29T12:34:56.789Z');
      const session = context.session(sid, {
        date,
        undefinedValue: undefined,
        arrayWithUndefined: [1, undefined, 3],
        nan: Number.NaN,
        infinity: Number.POSITIVE_INFINITY,
        custom: { toJSON: () => ({ converted: true }) },
        nested: { date, gone: undefined },
      });
      await context.set(sid, session);
      const got = await context.get(sid);
      assertSessionEquals(got, jsonForm(session), context.granularityMs, 'get(sid) of values JSON converts');
      assert.equal(got!.date, date.toISOString(), 'a Date did not come back as its ISO string');
    },
  },
  {
    clauses: [43],
    group,
    title: 'integers up to 2^53-1 and floats round-trip exactly',
    async run(context) {
      const numbers = {
        maxSafe: Number.MAX_SAFE_INTEGER,
        minSafe: Number.MIN_SAFE_INTEGER,
        big: 2 ** 52 + 1,
        tenth: 0.1,
        third: 1 / 3,
        tiny: 5e-324,
        huge: 1.7976931348623157e308,
        negative: -123456.789012345,
        precise: 123456789.12345678,
        list: [0.1 + 0.2, 1e21, 1e-7, -0.5],
      };
      await roundTrip(context, numbers, 'get(sid) of integers and floats');
      const sid = context.sid();
      await context.set(sid, context.session(sid, numbers));
      const got = await context.get(sid);
      for (const [key, value] of Object.entries(numbers)) {
        if (typeof value === 'number')
          assert.ok(Object.is(got![key], value), `${key}: ${inspect(got![key])} is not exactly ${value}`);
      }
    },
  },
  {
    clauses: [44],
    group,
    title: 'keys containing "." or starting with "$" round-trip',
    async run(context) {
      await roundTrip(
        context,
        {
          'a.b': 1,
          'a.b.c': { 'd.e': true },
          $set: { $inc: 1, $where: 'x' },
          nested: { 'x.y': [{ $or: [] }] },
          '.': 'dot',
          $: 'dollar',
        },
        'get(sid) of dotted and $ keys',
      );
    },
  },
  {
    clauses: [45],
    group,
    title:
      'a 1 MiB session round-trips, or fails through the callback when maxSessionBytes is smaller, keeping the previous value',
    timeoutMs: () => 60_000,
    async run(context) {
      const limit = context.capabilities.maxSessionBytes;
      await bigSet(context, MIB, limit !== null && limit < MIB ? 'fail' : 'round-trip');
    },
  },
  {
    clauses: [45],
    group,
    title:
      'a session larger than 1 MiB (or than maxSessionBytes) round-trips or fails through the callback, never truncated',
    timeoutMs: () => 90_000,
    async run(context) {
      const limit = context.capabilities.maxSessionBytes;
      await bigSet(
        context,
        limit === null ? 3 * MIB : Math.max(limit + 1024, MIB + 1024),
        limit === null ? 'either' : 'fail',
      );
    },
  },
  {
    clauses: [46],
    group,
    title: 'own __proto__, constructor and prototype keys, at any depth, round-trip without changing any prototype',
    async run(context) {
      const sid = context.sid();
      const hostile = JSON.parse(
        '{"__proto__":{"polluted":true},"constructor":{"prototype":{"hacked":true}},"prototype":{"polluted":true},' +
          '"deep":{"a":[{"__proto__":{"polluted":true}}],"b":{"constructor":{"prototype":{"hacked":true}}}}}',
      ) as Record<string, unknown>;
      const session = context.session(sid);
      for (const key of Object.keys(hostile))
        Object.defineProperty(session, key, {
          value: hostile[key],
          enumerable: true,
          writable: true,
          configurable: true,
        });
      await context.set(sid, session);
      const got = await context.get(sid);
      assert.deepStrictEqual(pollutionReport(), [], 'a built-in prototype was polluted');
      assert.ok(got, 'get(sid) missed');
      const proto = Object.getPrototypeOf(got) as unknown;
      assert.ok(proto === Object.prototype || proto === null, 'the returned session has another prototype');
      assert.equal((got as { polluted?: unknown }).polluted, undefined, 'the returned session inherited "polluted"');
      assertSessionEquals(
        got,
        jsonForm(session),
        context.granularityMs,
        'get(sid) of own __proto__/constructor/prototype keys',
      );
      assert.ok(Object.prototype.hasOwnProperty.call(got, '__proto__'), 'the own "__proto__" key was lost');
    },
  },
];
