import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

/**
 * Reads sessions that connect-mongo (4 to 6) encrypted with its `crypto` option, which hands
 * them to kruptein 3, so that switching packages logs nobody out. Only reading: the store
 * writes them again in its own format (`encryption`). Written from the format as kruptein
 * stores it, not from its code:
 *
 * - The stored text is `encodeas` (base64 by default) of a DER SEQUENCE of OCTET STRINGs:
 *   `ct, hmac, iv, salt` and, for AEAD ciphers (gcm), `at, aad`.
 * - `ct`, `hmac` and `aad` hold *text* in `encodeas`; `iv`, `salt` and `at` hold raw bytes.
 * - The key is PBKDF2(secret, salt, rounds, key size of the algorithm, `hashing`).
 * - `hmac` is HMAC-`hashing`(key), checked before decrypting, over the text of `ct` in kruptein
 *   3.0, and over `ct + salt + iv` as one string (the byte fields read as UTF-8) in 3.1.
 * - kruptein 3.0 (connect-mongo 6 pins 3.0.8) uses 15000 rounds, 3.1 (what connect-mongo 4 and
 *   5 install today) 20000. Nothing in the text says which: the HMAC tells.
 * - The plaintext is JSON.stringify of what connect-mongo gave kruptein: the session's JSON text,
 *   so it is parsed twice.
 */

/** connect-mongo's `crypto` option. `key_size`, `iv_size` and `at_size` never reach kruptein (it reads other names), so they change nothing. */
export interface KrupteinOptions {
  secret: string;
  /** Default `"aes-256-gcm"`. */
  algorithm?: string;
  /** Default `"sha512"` (connect-mongo's; kruptein's own default is sha384). */
  hashing?: string;
  /** Default `"base64"`. */
  encodeas?: BufferEncoding;
  key_size?: number;
  iv_size?: number;
  at_size?: number;
}

/** What differs between kruptein versions: the PBKDF2 rounds, and what the HMAC covers. */
const VERSIONS = [
  { rounds: 15_000, hmacOver: (ct: string) => ct },
  { rounds: 20_000, hmacOver: (ct: string, salt: Buffer, iv: Buffer) => ct + salt.toString() + iv.toString() },
] as const;
const DER_SEQUENCE = 0x30;
const DER_OCTET_STRING = 0x04;
const AUTH_TAG_BYTES = 16;

export class KrupteinReader {
  private readonly secret: string;
  private readonly algorithm: string;
  private readonly hashing: string;
  private readonly encoding: BufferEncoding;
  private readonly aead: boolean;
  private readonly keyBytes: number;
  /** Keys by salt: PBKDF2 costs milliseconds, and each session has its own salt, read once before it is rewritten. */
  private readonly keys = new Map<string, Buffer>();

  constructor(options: KrupteinOptions) {
    this.secret = options.secret;
    this.algorithm = (options.algorithm ?? 'aes-256-gcm').toLowerCase();
    this.hashing = options.hashing ?? 'sha512';
    this.encoding = options.encodeas ?? 'base64';
    this.aead = /gcm|ccm|ocb/.test(this.algorithm);
    this.keyBytes = keyBytesOf(this.algorithm);
  }

  /** Whether `stored` has the shape of kruptein's text (a DER sequence in `encodeas`), before any key is derived. */
  recognises(stored: string): boolean {
    return this.fields(stored) !== null;
  }

  /**
   * The session JSON text inside `stored`. Throws when it is not kruptein's, the secret is
   * not the one it was written with, or it was tampered with.
   */
  decrypt(stored: string): string {
    const fields = this.fields(stored);
    if (!fields) throw new Error('not a session encrypted by connect-mongo (kruptein)');
    const [ct, hmac, iv, salt, at, aad] = fields;
    const ctText = ct!.toString('utf8');
    const given = Buffer.from(hmac!.toString('utf8'), this.encoding);
    const key = this.keyFor(salt!, (candidate, version) => {
      const expected = createHmac(this.hashing, candidate)
        .update(version.hmacOver(ctText, salt!, iv!))
        .digest();
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
    if (!key) {
      throw new Error('the crypto secret does not match, or the encrypted session was tampered with (HMAC differs)');
    }
    let plaintext: string;
    if (this.aead) {
      const decipher = createDecipheriv(this.algorithm as 'aes-256-gcm', key, iv!, { authTagLength: AUTH_TAG_BYTES });
      decipher.setAuthTag(at!);
      decipher.setAAD(Buffer.from(aad!.toString('utf8'), this.encoding));
      plaintext = decipher.update(ctText, this.encoding, 'utf8') + decipher.final('utf8');
    } else {
      const decipher = createDecipheriv(this.algorithm, key, iv!);
      plaintext = decipher.update(ctText, this.encoding, 'utf8') + decipher.final('utf8');
    }
    // JSON of the session's JSON text (stringify: true) or of its object's JSON (stringify: false).
    const outer: unknown = JSON.parse(plaintext);
    return typeof outer === 'string' ? outer : JSON.stringify(outer);
  }

  /** The key for `salt` that `matches` (its HMAC), trying each kruptein version's rounds; null when none does. */
  private keyFor(salt: Buffer, matches: (key: Buffer, version: (typeof VERSIONS)[number]) => boolean): Buffer | null {
    const id = salt.toString('base64');
    const known = this.keys.get(id);
    if (known && VERSIONS.some((version) => matches(known, version))) return known;
    for (const version of VERSIONS) {
      const key = pbkdf2Sync(this.secret, salt, version.rounds, this.keyBytes, this.hashing);
      if (!matches(key, version)) continue;
      // A bounded cache: each entry is only needed until its session is rewritten.
      if (this.keys.size >= 1000) this.keys.clear();
      this.keys.set(id, key);
      return key;
    }
    return null;
  }

  /** The octet strings of the DER sequence, or null when `stored` is not one with the expected count. */
  private fields(stored: string): Buffer[] | null {
    const bytes = Buffer.from(stored, this.encoding);
    const outer = readDer(bytes, 0);
    if (!outer || outer.tag !== DER_SEQUENCE || outer.end !== bytes.length) return null;
    const fields: Buffer[] = [];
    for (let at = outer.start; at < outer.end;) {
      const item = readDer(bytes, at);
      if (!item || item.tag !== DER_OCTET_STRING || item.end > outer.end) return null;
      fields.push(bytes.subarray(item.start, item.end));
      at = item.end;
    }
    return fields.length === (this.aead ? 6 : 4) ? fields : null;
  }
}

/** One DER element at `offset`: its tag and where its content starts and ends; null if malformed. */
function readDer(bytes: Buffer, offset: number): { tag: number; start: number; end: number } | null {
  if (offset + 2 > bytes.length) return null;
  const tag = bytes[offset]!;
  let length = bytes[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > bytes.length) return null;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i]!;
    start += count;
  }
  const end = start + length;
  return end <= bytes.length ? { tag, start, end } : null;
}

/** The key size kruptein derives for an algorithm: 32 bytes, less for AES-128/192, 64 for AES-256-XTS. */
function keyBytesOf(algorithm: string): number {
  if (algorithm.includes('aes') && algorithm.includes('xts')) return algorithm.includes('256') ? 64 : 32;
  if (algorithm.includes('aes') && algorithm.includes('128')) return 16;
  if (algorithm.includes('aes') && algorithm.includes('192')) return 24;
  return 32;
}
