import { type EncryptionOptions, validate, weakPassphraseReason } from '@session-stores/core';
import { KrupteinReader, type KrupteinOptions } from './kruptein-reader';
import { STORE_NAME } from './options';

/** connect-mongo's `cryptoAdapter`: any object with async `encrypt`/`decrypt` of text. Only `decrypt` is used here. */
export interface CryptoAdapter {
  encrypt(plaintext: string): Promise<string>;
  decrypt(ciphertext: string): Promise<string>;
}

/** How the store reads sessions connect-mongo encrypted, before writing them again in its own format. */
export interface LegacyDecryption {
  /** Whether a stored `session` string is one of them (and not JSON, nor our own envelope). */
  recognises(stored: string): boolean;
  /** The session's JSON text. Throws when the secret is wrong or the text was tampered with. */
  decrypt(stored: string): Promise<string>;
}

/** What connect-mongo's `crypto`/`cryptoAdapter` options become: a reader of its sessions, and our `encryption` for every write. */
export interface LegacyCrypto {
  reader: LegacyDecryption | null;
  encryption: EncryptionOptions | undefined;
}

/**
 * connect-mongo's `crypto` (kruptein) and `cryptoAdapter` options. Sessions it encrypted are
 * read with them, and written again with `encryption` (AES-256-GCM, see @session-stores/core):
 * never in plaintext. With `crypto`, `encryption` defaults to the same secret when it is strong
 * enough to encrypt with (see @session-stores/core); otherwise (and with `cryptoAdapter`)
 * `encryption` must be given: a weak secret is refused, never used silently.
 */
export function legacyCrypto(raw: Record<string, unknown>): LegacyCrypto {
  const encryption = raw.encryption as EncryptionOptions | undefined;
  if (raw.crypto !== undefined && raw.cryptoAdapter !== undefined) {
    throw new TypeError(`${STORE_NAME}: give either "crypto" or "cryptoAdapter" of connect-mongo, not both`);
  }
  if (raw.cryptoAdapter !== undefined) {
    const adapter = raw.cryptoAdapter as Partial<CryptoAdapter> | null;
    if (typeof adapter !== 'object' || adapter === null || typeof adapter.decrypt !== 'function') {
      throw new TypeError(`${STORE_NAME}: option "cryptoAdapter" must be an object with a decrypt function`);
    }
    if (encryption === undefined) {
      throw new TypeError(
        `${STORE_NAME}: option "cryptoAdapter" only reads sessions connect-mongo encrypted; give "encryption" ({ secret }) for the sessions this store writes`,
      );
    }
    return {
      encryption,
      reader: {
        // Its output format is the adapter's own: anything that is not a JSON object or our envelope.
        recognises: (stored) => !stored.trimStart().startsWith('{'),
        decrypt: async (stored) => normalise(await adapter.decrypt!(stored)),
      },
    };
  }
  const crypto = validate.optionalObject(STORE_NAME, 'crypto', raw.crypto);
  // connect-mongo's own default, `secret: false`, means no encryption.
  if (crypto === undefined || crypto.secret === false) return { reader: null, encryption };
  const options = kruptein(crypto);
  const weakness = encryption === undefined ? weakPassphraseReason(options.secret) : null;
  if (weakness !== null) {
    throw new TypeError(
      `${STORE_NAME}: option "crypto": its secret is too weak to encrypt the sessions this store writes (${weakness}); ` +
        'keep "crypto" to read the sessions connect-mongo encrypted, and give "encryption": { secret: { key: crypto.randomBytes(32).toString(\'base64\') } } (kept in an environment variable) for the sessions this store writes',
    );
  }
  const reader = new KrupteinReader(options);
  return {
    encryption: encryption ?? { secret: options.secret },
    reader: { recognises: (stored) => reader.recognises(stored), decrypt: async (stored) => reader.decrypt(stored) },
  };
}

function kruptein(crypto: Record<string, unknown>): KrupteinOptions {
  const name = (field: string) => `crypto.${field}`;
  const secret = validate.optionalString(STORE_NAME, name('secret'), crypto.secret);
  if (!secret) throw new TypeError(`${STORE_NAME}: option "crypto.secret" must be a non-empty string`);
  const algorithm = validate.optionalString(STORE_NAME, name('algorithm'), crypto.algorithm);
  if (algorithm !== undefined && !/^aes-(128|192|256)-(gcm|cbc|ctr|cfb|ofb)$/i.test(algorithm)) {
    throw new TypeError(
      `${STORE_NAME}: option "crypto.algorithm" must be an AES cipher connect-mongo could use (aes-256-gcm, aes-128-cbc, ...), got "${algorithm}"`,
    );
  }
  const hashing = validate.optionalString(STORE_NAME, name('hashing'), crypto.hashing);
  const encodeas = validate.optionalOneOf(STORE_NAME, name('encodeas'), crypto.encodeas, [
    'base64',
    'hex',
    'base64url',
    'latin1',
    'binary',
  ] as const);
  for (const size of ['key_size', 'iv_size', 'at_size'])
    validate.optionalNumber(STORE_NAME, name(size), crypto[size], { min: 1 });
  return { secret, algorithm, hashing, encodeas };
}

/** connect-mongo hands back either the session's JSON text or that text JSON-encoded once more. */
function normalise(plaintext: string): string {
  const parsed: unknown = JSON.parse(plaintext);
  return typeof parsed === 'string' ? parsed : JSON.stringify(parsed);
}
