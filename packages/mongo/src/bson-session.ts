import { Binary } from 'mongodb';

/**
 * The `stringify: false` layout: a session (already through JSON, so only plain objects,
 * arrays, strings, numbers, booleans and null) becomes a BSON sub-document, and back.
 *
 * BSON and MongoDB cannot hold every JSON object as it is, so two things are encoded, both
 * reversibly and only where needed, so ordinary sessions are stored exactly as connect-mongo
 * stores them:
 *
 * - Keys. NUL cannot be in a BSON key at all; `.` anywhere and `$` in front are refused by
 *   FerretDB and by MongoDB before 5.0, and by MongoDB 5+ in updates. Such keys are
 *   percent-encoded: `%` -> `%25`, `.` -> `%2E`, NUL -> `%00`, a leading `$` -> `%24`, and an
 *   unpaired UTF-16 surrogate -> `%uD800` (UTF-8 cannot carry one). The key `_bsontype` becomes
 *   `%5Fbsontype`: the BSON serializer takes any object holding it for one of its own value types
 *   (an ObjectId, a Binary) and refuses to save it, so a form copied from a request body that has
 *   such a field would make every save of its session fail. Any other key is unchanged; since
 *   every literal `%` is encoded, decoding is exact.
 * - Strings with an unpaired surrogate, which BSON's UTF-8 would turn into U+FFFD. They are
 *   stored as BSON binary of the user-defined subtype 0x80 holding the UTF-16LE code units.
 *   JSON data never contains binary, so there is no ambiguity.
 *
 * Reading also accepts what connect-mongo's `stringify: false` writes: BSON dates (its
 * `cookie.expires`) become ISO strings, as JSON would make them, and any other BSON value
 * becomes its JSON form.
 */
export const LONE_SURROGATE_SUBTYPE = 0x80;

// eslint-disable-next-line no-control-regex -- NUL is one of the characters to find
const KEY_NEEDS_ENCODING = /[%.\u0000\uD800-\uDFFF]|^\$|^_bsontype$/;
/** The key by which the BSON serializer tells its own value types from documents. */
const BSON_TYPE_KEY = '_bsontype';
const ENCODED_KEY_PART = /%(?:u([0-9A-F]{4})|([0-9A-F]{2}))/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function encodeKey(key: string): string {
  if (!KEY_NEEDS_ENCODING.test(key)) return key;
  let encoded = '';
  for (let i = 0; i < key.length; i++) {
    const unit = key.charCodeAt(i);
    if (
      unit === 0x25 ||
      unit === 0x2e ||
      unit === 0 ||
      (unit === 0x24 && i === 0) ||
      (unit === 0x5f && i === 0 && key === BSON_TYPE_KEY)
    ) {
      encoded += `%${unit.toString(16).toUpperCase().padStart(2, '0')}`;
    } else if (isHighSurrogate(unit) && isLowSurrogate(key.charCodeAt(i + 1))) {
      encoded += key.slice(i, i + 2);
      i++;
    } else if (isHighSurrogate(unit) || isLowSurrogate(unit)) {
      encoded += `%u${unit.toString(16).toUpperCase()}`;
    } else {
      encoded += key[i];
    }
  }
  return encoded;
}

export function decodeKey(key: string): string {
  if (!key.includes('%')) return key;
  return key.replace(ENCODED_KEY_PART, (_, wide: string | undefined, narrow: string | undefined) =>
    String.fromCharCode(parseInt(wide ?? narrow!, 16)),
  );
}

/** A JSON value (the output of JSON.parse) as the BSON value to store. */
export function toBson(value: unknown): unknown {
  if (typeof value === 'string') {
    return LONE_SURROGATE.test(value) ? new Binary(Buffer.from(value, 'utf16le'), LONE_SURROGATE_SUBTYPE) : value;
  }
  if (Array.isArray(value)) return value.map(toBson);
  if (typeof value === 'object' && value !== null) {
    const document: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      defineOwn(document, encodeKey(key), toBson((value as Record<string, unknown>)[key]));
    return document;
  }
  return value;
}

/** A stored BSON value as the JSON value it stands for. Always a fresh object tree. */
export function fromBson(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(fromBson);
  const prototype = Object.getPrototypeOf(value) as unknown;
  if (prototype === Object.prototype || prototype === null) {
    const object: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      defineOwn(object, decodeKey(key), fromBson((value as Record<string, unknown>)[key]));
    return object;
  }
  if (isBinary(value) && value.sub_type === LONE_SURROGATE_SUBTYPE) {
    return Buffer.from(value.buffer.buffer, value.buffer.byteOffset, value.buffer.byteLength).toString('utf16le');
  }
  // A 64-bit integer beyond 2^53 (reads promote the others to numbers): the nearest number, as JSON would hold it.
  if ((value as { _bsontype?: unknown })._bsontype === 'Long') return (value as { toNumber(): number }).toNumber();
  // Dates, ObjectIds, Decimal128 and the rest: what JSON.stringify would make of them.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? fromBson(toJSON.call(value)) : fromBson({ ...value });
}

/** An own, enumerable data property, even for `__proto__` (plain assignment would set the prototype). */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

function isBinary(value: object): value is Binary {
  return (value as { _bsontype?: unknown })._bsontype === 'Binary';
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
