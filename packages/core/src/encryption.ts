import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync } from 'node:crypto';

export interface EncryptionOptions {
  /**
   * The secret, or a list of secrets for rotation: the first encrypts, every one decrypts.
   * Each must be at least 16 characters (bytes); use 32 or more random characters.
   */
  secret: string | Buffer | ReadonlyArray<string | Buffer>;
  /**
   * Accept sessions stored unencrypted (written before encryption was switched on), so that
   * turning encryption on logs nobody out. Off by default: with it off, a plaintext record is
   * treated as unreadable (a miss, reported through the `decodeError` event). Default false.
   */
  acceptPlaintext?: boolean;
}

/** The field of the envelope object; a JSON object keeps JSON columns (pg `json`) happy. */
export const ENVELOPE_FIELD = 'ss_encrypted';
const ENVELOPE_PREFIX = `{"${ENVELOPE_FIELD}":"`;
const FORMAT_VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
// A fixed salt: keys are derived once per secret at start-up, and the secret itself is what
// must carry the entropy. scrypt makes guessing a weak secret from a stolen database costly.
const KDF_SALT = 'session-stores/encryption/v1';
const MIN_SECRET_BYTES = 16;

interface DerivedKey {
  id: string;
  key: Buffer;
}

function deriveKey(secret: string | Buffer): DerivedKey {
  const key = scryptSync(secret, KDF_SALT, 32);
  const id = createHash('sha256').update(key).digest('base64url').slice(0, 8);
  return { id, key };
}

export function validateSecrets(secret: unknown): Array<string | Buffer> {
  const list = Array.isArray(secret) ? (secret as unknown[]) : [secret];
  if (list.length === 0)
    throw new TypeError('encryption.secret must be a string, a Buffer, or a non-empty array of them');
  return list.map((item, index) => {
    if (typeof item !== 'string' && !Buffer.isBuffer(item)) {
      throw new TypeError(`encryption.secret[${index}] must be a string or a Buffer, got ${typeof item}`);
    }
    if (Buffer.byteLength(item) < MIN_SECRET_BYTES) {
      throw new TypeError(`encryption.secret[${index}] must be at least ${MIN_SECRET_BYTES} bytes long`);
    }
    return item;
  });
}

/**
 * AES-256-GCM encryption of serialized sessions. The sid is bound in as additional
 * authenticated data, so a ciphertext copied onto another sid does not decrypt.
 * Output: `{"ss_encrypted":"v1.<key id>.<iv>.<ciphertext+tag>"}` (base64url parts).
 */
export class SessionCipher {
  private readonly keys: DerivedKey[];
  readonly acceptPlaintext: boolean;

  constructor(options: EncryptionOptions) {
    this.keys = validateSecrets(options.secret).map(deriveKey);
    this.acceptPlaintext = options.acceptPlaintext === true;
  }

  encrypt(sid: string, plaintext: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(sid, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    const token = [FORMAT_VERSION, id, iv.toString('base64url'), body.toString('base64url')].join('.');
    return JSON.stringify({ [ENVELOPE_FIELD]: token });
  }

  /** Throws when the token is malformed, made with an unknown key, or tampered with. */
  decrypt(sid: string, token: string): string {
    const [version, keyId, ivText, bodyText, ...rest] = token.split('.');
    if (version !== FORMAT_VERSION || !keyId || !ivText || !bodyText || rest.length > 0) {
      throw new Error('malformed encrypted session');
    }
    const key = this.keys.find((candidate) => candidate.id === keyId);
    if (!key) throw new Error(`session encrypted with an unknown secret (key id ${keyId})`);
    const iv = Buffer.from(ivText, 'base64url');
    const body = Buffer.from(bodyText, 'base64url');
    if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new Error('malformed encrypted session');
    const decipher = createDecipheriv(ALGORITHM, key.key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(sid, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  }
}

/** The token of an encrypted record, whether it is stored as text or as an object; else null. */
export function envelopeToken(payload: string | Record<string, unknown>): string | null {
  if (typeof payload === 'string') {
    if (!payload.startsWith(ENVELOPE_PREFIX)) return null;
    try {
      const parsed: unknown = JSON.parse(payload);
      return envelopeToken(parsed as Record<string, unknown>);
    } catch {
      return null;
    }
  }
  const token = payload[ENVELOPE_FIELD];
  return typeof token === 'string' && Object.keys(payload).length === 1 ? token : null;
}
