import { Binary, BSON, Decimal128, Long, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { decodeKey, encodeKey, fromBson, LONE_SURROGATE_SUBTYPE, toBson } from '../src/bson-session';

describe('stringify: false key encoding', () => {
  it('leaves ordinary keys as they are (the connect-mongo layout)', () => {
    for (const key of ['cookie', 'user', 'a$b', 'x y', 'émoji😀', '__proto__', 'constructor', ''])
      expect(encodeKey(key)).toBe(key);
  });

  it('encodes what BSON or MongoDB refuse, and % itself', () => {
    expect(encodeKey('a.b')).toBe('a%2Eb');
    expect(encodeKey('$where')).toBe('%24where');
    expect(encodeKey('a\u0000b')).toBe('a%00b');
    expect(encodeKey('50%')).toBe('50%25');
    expect(encodeKey('x\uD800')).toBe('x%uD800');
    expect(encodeKey('\uDC00y')).toBe('%uDC00y');
    // The key the BSON serializer reads as "this object is a BSON value", not a document.
    expect(encodeKey('_bsontype')).toBe('%5Fbsontype');
    expect(encodeKey('_bsontypes')).toBe('_bsontypes');
  });

  it('decodes every encoded key back exactly', () => {
    const keys = [
      'a.b',
      '$x',
      '$',
      '$$.$',
      '%',
      '%25',
      '%2E',
      '%u0041',
      'a\u0000',
      '\uD800\uD800',
      '\uDC00\uD800',
      '😀.😀',
      '_bsontype',
      '%5Fbsontype',
      'plain',
    ];
    for (const key of keys) expect(decodeKey(encodeKey(key))).toBe(key);
  });

  it('produces keys that BSON serializes and a server accepts (no NUL, no ".", no leading "$")', () => {
    for (const key of ['a.b', '$x', 'a\u0000b', '\uD800', '_bsontype']) {
      const encoded = encodeKey(key);
      expect(encoded.includes('.') || encoded.includes('\u0000') || encoded.startsWith('$')).toBe(false);
      expect(() => BSON.serialize({ [encoded]: 1 })).not.toThrow();
    }
  });
});

describe('stringify: false values', () => {
  it('stores objects holding a "_bsontype" key as documents, and reads them back exactly', () => {
    const session = { form: { _bsontype: 'ObjectId', id: 'x' }, list: [{ _bsontype: 'Binary' }], _bsontype: 1 };
    const stored = BSON.serialize(toBson(session) as Record<string, unknown>);
    expect(fromBson(BSON.deserialize(stored, { promoteBuffers: false }))).toEqual(session);
  });

  it('stores a string with a lone surrogate as binary of subtype 0x80, and reads it back exactly', () => {
    const stored = toBson({ v: 'a\uD800b' }) as { v: Binary };
    expect(stored.v).toBeInstanceOf(Binary);
    expect(stored.v.sub_type).toBe(LONE_SURROGATE_SUBTYPE);
    const roundTripped = BSON.deserialize(BSON.serialize(stored), { promoteBuffers: false });
    expect(fromBson(roundTripped)).toEqual({ v: 'a\uD800b' });
  });

  it('keeps own __proto__ and constructor keys as data, at any depth, without touching prototypes', () => {
    const session = JSON.parse(
      '{"__proto__":{"polluted":1},"a":{"__proto__":{"polluted":2},"constructor":{"prototype":{"polluted":3}}}}',
    ) as Record<string, unknown>;
    const back = fromBson(BSON.deserialize(BSON.serialize(toBson(session) as BSON.Document))) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(back.a)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__', 'a']);
    expect(JSON.stringify(back)).toBe(JSON.stringify(session));
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('reads BSON values the way JSON would write them (what connect-mongo stores)', () => {
    const id = new ObjectId();
    const when = new Date('2030-01-02T03:04:05.678Z');
    expect(
      fromBson({ cookie: { expires: when }, id, n: Long.fromNumber(5), d: Decimal128.fromString('1.5'), list: [when] }),
    ).toEqual({
      cookie: { expires: '2030-01-02T03:04:05.678Z' },
      id: id.toHexString(),
      n: 5,
      d: { $numberDecimal: '1.5' },
      list: ['2030-01-02T03:04:05.678Z'],
    });
  });

  it('returns a fresh object tree on every read', () => {
    const stored = { a: { b: [1, { c: 2 }] } };
    const first = fromBson(stored) as typeof stored;
    expect(first).toEqual(stored);
    expect(first.a).not.toBe(stored.a);
    expect(first.a.b).not.toBe(stored.a.b);
  });
});
