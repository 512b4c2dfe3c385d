import { createHash, createHmac, randomBytes, scryptSync } from 'node:crypto';

/**
 * One entry of `encryption.secret`:
 * - a string is a passphrase, stretched with scrypt and a random salt (stored in each ciphertext);
 * - a Buffer is a 32-byte random key (`crypto.randomBytes(32)`), used as it is;
 * - `{ key }` is the same key as base64 text (`crypto.randomBytes(32).toString('base64')`), the
 *   form an environment variable holds.
 */
export type EncryptionSecret = string | Buffer | { key: string | Buffer };

export const KEY_BYTES = 32;
/**
 * The floor for the passphrase that encrypts: an estimate of its strength (length times the
 * bits of the character classes it uses) of 100 bits or more, and 10 different characters. The
 * estimate is generous to people (who pick less randomly), so it only turns away what is
 * plainly weak: short, few classes, or repetitive ("keyboard cat", "password12345678", 32 "x").
 */
export const MIN_PASSPHRASE_BITS = 100;
export const MIN_PASSPHRASE_DISTINCT_CHARACTERS = 10;
const SALT_BYTES = 16;
/** Salts of other processes seen in stored ciphertexts, each with its derived keys: bounded, oldest out first. */
const KDF_CACHE_SIZE = 64;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$|^[A-Za-z0-9_-]*$/;
// The format written before keys and salts (envelope v1): scrypt with one salt for everybody.
// Kept only to read what was written then.
const LEGACY_SALT = 'session-stores/encryption/v1';
const SUGGESTION =
  "use a random 32-byte key: { key: crypto.randomBytes(32).toString('base64') } (kept in an environment variable)";

interface Entry {
  readonly kind: 'key' | 'passphrase';
  /** The key (kind "key"), or the passphrase's bytes. */
  readonly material: Buffer;
  /**
   * What v1 stretched for this entry: the bytes given. A key given as base64 text may have been
   * that same text given as a passphrase before keys existed, so both are tried for it.
   */
  readonly legacy: Buffer[];
}

/** A key ready to use, with the id written beside each ciphertext so readers find it without trying every key. */
export interface ReadyKey {
  readonly id: string;
  readonly key: Buffer;
  /** base64url of the passphrase's salt; empty for a raw key. */
  readonly salt: string;
}

function keyId(key: Buffer): string {
  // An HMAC under the key itself reveals nothing of it, and differs for every key and salt.
  return createHmac('sha256', key).update('session-stores key id').digest('base64url').slice(0, 8);
}

function stretch(passphrase: Buffer, salt: Buffer | string): Buffer {
  return scryptSync(passphrase, salt, KEY_BYTES);
}

/** The estimated strength of a passphrase, in bits: its length times log2 of the classes' alphabet it draws from. */
function estimatedBits(characters: string[]): number {
  const text = characters.join('');
  let alphabet = 0;
  if (/[a-z]/.test(text)) alphabet += 26;
  if (/[A-Z]/.test(text)) alphabet += 26;
  if (/[0-9]/.test(text)) alphabet += 10;
  if (/[^a-zA-Z0-9]/.test(text)) alphabet += 33;
  return characters.length * Math.log2(Math.max(alphabet, 2));
}

/** Why a passphrase is too weak to encrypt with, or null. */
export function weakPassphraseReason(passphrase: string): string | null {
  const characters = [...passphrase];
  if (new Set(characters).size < MIN_PASSPHRASE_DISTINCT_CHARACTERS)
    return `a passphrase of fewer than ${MIN_PASSPHRASE_DISTINCT_CHARACTERS} different characters is too easy to guess`;
  const bits = estimatedBits(characters);
  if (bits < MIN_PASSPHRASE_BITS)
    return `a passphrase of ${characters.length} characters from those classes gives about ${Math.floor(bits)} bits, under ${MIN_PASSPHRASE_BITS} (make it longer, or mix upper and lower case, digits and symbols)`;
  return null;
}

function decodeKey(text: string, where: string): Buffer {
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, Node's base64 and base64url decoders each accept both alphabets, so either choice decodes the same bytes
  const encoding = text.includes('-') || text.includes('_') ? 'base64url' : 'base64';
  const bytes = BASE64.test(text) ? Buffer.from(text, encoding) : null;
  if (!bytes || bytes.length !== KEY_BYTES) {
    throw new TypeError(
      `${where}.key must be ${KEY_BYTES} bytes as base64 (crypto.randomBytes(32).toString('base64')), got ${bytes ? `${bytes.length} bytes` : 'text that is not base64'}`,
    );
  }
  return bytes;
}

function toEntry(item: unknown, where: string): Entry {
  if (typeof item === 'string') {
    if (item.length === 0) throw new TypeError(`${where} must not be empty; ${SUGGESTION}`);
    const material = Buffer.from(item, 'utf8');
    return { kind: 'passphrase', material, legacy: [material] };
  }
  if (Buffer.isBuffer(item)) {
    if (item.length !== KEY_BYTES) {
      throw new TypeError(
        `${where} is a Buffer of ${item.length} bytes: a Buffer is a key and must be ${KEY_BYTES} random bytes (crypto.randomBytes(32)); a passphrase is a string`,
      );
    }
    const material = Buffer.from(item);
    return { kind: 'key', material, legacy: [material] };
  }
  if (typeof item === 'object' && item !== null && 'key' in item) {
    const key = (item as { key: unknown }).key;
    if (Buffer.isBuffer(key)) return toEntry(key, `${where}.key`);
    if (typeof key === 'string') {
      const material = decodeKey(key, where);
      return { kind: 'key', material, legacy: [material, Buffer.from(key, 'utf8')] };
    }
  }
  throw new TypeError(
    `${where} must be a passphrase (string), a 32-byte key (Buffer) or { key: "<base64 of 32 bytes>" }, got ${item === null ? 'null' : typeof item}`,
  );
}

/**
 * The secrets of `encryption.secret`, validated: the first encrypts, every one decrypts. The
 * first must be strong (a key, or a long varied passphrase); a weak passphrase is accepted
 * after it, to read what was written with it, and reported in {@link KeyRing.notices}.
 */
export class KeyRing {
  /** What the store should warn about at construction (weak secrets kept only to decrypt). */
  readonly notices: string[] = [];
  private readonly entries: Entry[];
  /** The key this process encrypts with: a passphrase gets a salt of its own per process. */
  readonly current: ReadyKey;
  private readonly rawKeys: ReadyKey[];
  private readonly derived = new Map<string, ReadyKey[]>();
  private legacyKeys: ReadyKey[] | null = null;

  constructor(secret: unknown) {
    const list = Array.isArray(secret) ? (secret as unknown[]) : [secret];
    if (list.length === 0) throw new TypeError(`encryption.secret must not be an empty list; ${SUGGESTION}`);
    this.entries = list.map((item, index) => {
      const where = Array.isArray(secret) ? `encryption.secret[${index}]` : 'encryption.secret';
      const entry = toEntry(item, where);
      const weakness = entry.kind === 'passphrase' ? weakPassphraseReason(item as string) : null;
      if (weakness !== null && index === 0) throw new TypeError(`${where} is too weak: ${weakness}; ${SUGGESTION}`);
      if (weakness !== null)
        this.notices.push(
          `${where} is weak (${weakness}): it only decrypts old sessions; drop it once they have expired`,
        );
      return entry;
    });
    this.rawKeys = this.entries
      .filter((entry) => entry.kind === 'key')
      .map((entry) => ({ id: keyId(entry.material), key: entry.material, salt: '' }));
    const first = this.entries[0]!;
    if (first.kind === 'key') this.current = this.rawKeys[0]!;
    else {
      const salt = randomBytes(SALT_BYTES).toString('base64url');
      const key = stretch(first.material, Buffer.from(salt, 'base64url'));
      this.current = { id: keyId(key), key, salt };
      this.derived.set(salt, [this.current]);
    }
  }

  /** The key a v2 ciphertext names (its id, and its salt for a passphrase), or null. */
  find(id: string, salt: string): ReadyKey | null {
    if (salt === '') return this.rawKeys.find((key) => key.id === id) ?? null;
    let keys = this.derived.get(salt);
    if (!keys) {
      const saltBytes = Buffer.from(salt, 'base64url');
      keys = this.entries
        .filter((entry) => entry.kind === 'passphrase')
        .map((entry) => {
          const key = stretch(entry.material, saltBytes);
          return { id: keyId(key), key, salt };
        });
      if (this.derived.size >= KDF_CACHE_SIZE) this.derived.delete(this.derived.keys().next().value!);
      this.derived.set(salt, keys);
    }
    return keys.find((key) => key.id === id) ?? null;
  }

  /** The keys of the v1 format (one shared salt), derived the first time a v1 ciphertext is read. */
  legacy(id: string): ReadyKey | null {
    this.legacyKeys ??= this.entries.flatMap((entry) =>
      entry.legacy.map((material) => {
        const key = stretch(material, LEGACY_SALT);
        // v1 named its key by a plain hash of it.
        return { id: legacyKeyId(key), key, salt: '' };
      }),
    );
    return this.legacyKeys.find((key) => key.id === id) ?? null;
  }
}

function legacyKeyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}
