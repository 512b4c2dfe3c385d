import { describe, expect, it } from 'vitest';
import { SessionCipher } from '../src';
import { KeyRing, weakPassphraseReason } from '../src/encryption-keys';

const KEY = Buffer.alloc(32, 9);
const OTHER_KEY = Buffer.alloc(32, 4);
const PASSPHRASE = 'a-first-secret-that-is-long-enough';
// 32 characters: its bytes would also make an AES-256 key.
const PASSPHRASE_32 = 'a-passphrase-of-exactly-32-chars';

const token = (stored: string) => (JSON.parse(stored) as { ss_encrypted: string }).ss_encrypted;
const sealedBy = (secret: ConstructorParameters<typeof SessionCipher>[0]['secret']) =>
  token(new SessionCipher({ secret }).encrypt('s', '{"n":1}', 1e13));
/** The salts whose derived keys the ring keeps (a private cache: its bound is what is tested). */
const cachedSalts = (ring: KeyRing) => [...(ring as unknown as { derived: Map<string, unknown> }).derived.keys()];

describe('passphrase strength', () => {
  it('counts digits as a class of 10: 20 lower-case letters and digits pass, 19 do not', () => {
    // 20 * log2(36) = 103 bits; without the digits' 10 the same text would be 80 or 94 bits.
    expect(weakPassphraseReason('a1b2c3d4e5f6g7h8i9j0')).toBeNull();
    expect(weakPassphraseReason('a1b2c3d4e5f6g7h8i9j')).toMatch(/19 characters .* about 98 bits/);
  });
});

describe('malformed secret lists', () => {
  it('names what was given instead of a secret', () => {
    expect(() => new SessionCipher({ secret: [] })).toThrow(/encryption\.secret must not be an empty list/);
    expect(() => new SessionCipher({ secret: null as never })).toThrow(/encryption\.secret must be .*, got null$/);
    expect(() => new SessionCipher({ secret: [KEY, 42] as never })).toThrow(/encryption\.secret\[1\] .*got number$/);
    expect(() => new SessionCipher({ secret: [KEY, {}] as never })).toThrow(/encryption\.secret\[1\] .*got object$/);
    expect(() => new SessionCipher({ secret: { key: 42 } as never })).toThrow(/got object$/);
  });
});

describe('which key a ciphertext names', () => {
  it('finds a raw key by its id, wherever it is in the list (rotation of keys)', () => {
    const written = sealedBy(OTHER_KEY);
    expect(new SessionCipher({ secret: [KEY, OTHER_KEY] }).decrypt('s', written).plaintext).toBe('{"n":1}');
    expect(() => new SessionCipher({ secret: KEY }).decrypt('s', written)).toThrow(/unknown secret/);
  });

  it('keeps a key and a passphrase of the same bytes apart: a passphrase is only ever used stretched', () => {
    const asKey = Buffer.from(PASSPHRASE_32, 'utf8');
    expect(() => new SessionCipher({ secret: [KEY, PASSPHRASE_32] }).decrypt('s', sealedBy(asKey))).toThrow(
      /unknown secret/,
    );
    expect(() => new SessionCipher({ secret: asKey }).decrypt('s', sealedBy(PASSPHRASE_32))).toThrow(/unknown secret/);
  });
});

describe('the keys derived from salts seen in ciphertexts', () => {
  it('derives the keys of a salt once and reuses them', () => {
    const own = new KeyRing(PASSPHRASE);
    expect(own.find(own.current.id, own.current.salt)).toBe(own.current);
    const writer = new KeyRing(PASSPHRASE).current;
    const reader = new KeyRing([KEY, PASSPHRASE]);
    const found = reader.find(writer.id, writer.salt);
    expect(found).toEqual(writer);
    expect(reader.find(writer.id, writer.salt)).toBe(found);
  });

  it('keeps the last 64 salts, dropping the oldest first, however many salts the records hold', () => {
    // A ring without passphrases derives nothing, so filling the cache costs no scrypt.
    const ring = new KeyRing(KEY);
    for (let index = 0; index < 64; index += 1) ring.find('id', `salt${index}`);
    expect(cachedSalts(ring)).toHaveLength(64);
    ring.find('id', 'salt64');
    const salts = cachedSalts(ring);
    expect(salts).toHaveLength(64);
    expect(salts[0]).toBe('salt1');
    expect(salts.at(-1)).toBe('salt64');
  });
});
