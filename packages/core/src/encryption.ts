import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { type EncryptionSecret, KeyRing, type ReadyKey } from './encryption-keys';

export type { EncryptionSecret } from './encryption-keys';

export interface EncryptionOptions {
  /**
   * The key or passphrase, or a list of them for rotation: the first encrypts, every one
   * decrypts. Best, a random 32-byte key: a Buffer (`crypto.randomBytes(32)`) or
   * `{ key: '<base64>' }` (`crypto.randomBytes(32).toString('base64')`), used as it is. A string
   * is a passphrase, stretched with scrypt and a random salt stored in each ciphertext; as the
   * encrypting secret it must not be weak (10 different characters, and about 100 bits by
   * length and character classes: 16 mixing upper and lower case, digits and symbols, or 22
   * lower-case letters). A weaker one is accepted after the first, only to decrypt old sessions
   * (the store warns). Rotate at least every 2^32
   * sessions written with one key (AES-GCM's limit with random nonces); drop an old secret
   * once the longest session lifetime has passed since it stopped being first.
   */
  secret: EncryptionSecret | ReadonlyArray<EncryptionSecret>;
  /**
   * Accept sessions stored unencrypted (written before encryption was switched on), so that
   * turning encryption on logs nobody out. DANGER: while it is on, anyone who can write to the
   * backend can forge a session (any user, any data) by writing it in clear: encryption then
   * protects confidentiality only. Turn it off once the sessions written in clear have expired.
   * The store warns at construction while it is on. Off by default: a plaintext record is then
   * unreadable (a miss, reported through the `decodeError` event). Default false.
   */
  acceptPlaintext?: boolean;
}

/** The field of the envelope object; a JSON object keeps JSON columns (pg `json`) happy. */
export const ENVELOPE_FIELD = 'ss_encrypted';
const ENVELOPE_PREFIX = `{"${ENVELOPE_FIELD}":"`;
const LEGACY_VERSION = 'v1';
const VERSION = 'v2';
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** What a ciphertext held: the serialized session and, from v2 on, the expiry sealed with it. */
export interface Opened {
  plaintext: string;
  /** The expiry (epoch ms) authenticated with the data; null for a v1 ciphertext, which had none. */
  expiresAt: number | null;
}

/**
 * AES-256-GCM encryption of serialized sessions, 96-bit random nonces.
 * Output: `{"ss_encrypted":"v2.<key id>.<salt>.<expires>.<iv>.<ciphertext+tag>"}`: the salt of a
 * passphrase's key (empty for a raw key) and the expiry (epoch ms) in clear, and the whole
 * header with the sid as additional authenticated data: a ciphertext copied onto another sid,
 * or given another expiry, does not decrypt. v1 (`v1.<key id>.<iv>.<body>`, keys from one shared
 * salt, no expiry) is still read, so that sessions written before keep working.
 */
export class SessionCipher {
  private readonly keys: KeyRing;
  readonly acceptPlaintext: boolean;

  constructor(options: EncryptionOptions) {
    this.keys = new KeyRing(options.secret);
    this.acceptPlaintext = options.acceptPlaintext === true;
  }

  /** What the store should warn about at construction. */
  get notices(): string[] {
    const notices = [...this.keys.notices];
    if (this.acceptPlaintext)
      notices.push(
        'encryption.acceptPlaintext is on: anyone who can write to the backend can forge a session by writing it unencrypted; turn it off once the sessions written in clear have expired',
      );
    return notices;
  }

  encrypt(sid: string, plaintext: string, expiresAt: number): string {
    const key = this.keys.current;
    const header = [VERSION, key.id, key.salt, String(Math.ceil(expiresAt))].join('.');
    const iv = randomBytes(IV_BYTES);
    const body = seal(key, iv, aad(header, sid), plaintext);
    return JSON.stringify({ [ENVELOPE_FIELD]: `${header}.${iv.toString('base64url')}.${body.toString('base64url')}` });
  }

  /** Throws when the token is malformed, made with an unknown key, or tampered with. */
  decrypt(sid: string, token: string): Opened {
    const parts = token.split('.');
    if (parts[0] === LEGACY_VERSION && parts.length === 4) {
      const [, keyId, ivText, bodyText] = parts as [string, string, string, string];
      const key = this.keys.legacy(keyId);
      if (!key) throw new Error(`session encrypted with an unknown secret (key id ${keyId})`);
      return { plaintext: open(key, ivText, bodyText, Buffer.from(sid, 'utf8')), expiresAt: null };
    }
    if (parts[0] !== VERSION || parts.length !== 6) throw new Error('malformed encrypted session');
    const [, keyId, salt, expiresText, ivText, bodyText] = parts as [string, string, string, string, string, string];
    const expiresAt = Number(expiresText);
    if (!/^\d{1,16}$/.test(expiresText) || !keyId) throw new Error('malformed encrypted session');
    const key = this.keys.find(keyId, salt);
    if (!key) throw new Error(`session encrypted with an unknown secret (key id ${keyId})`);
    const header = parts.slice(0, 4).join('.');
    return { plaintext: open(key, ivText, bodyText, aad(header, sid)), expiresAt };
  }
}

function aad(header: string, sid: string): Buffer {
  // The header has a fixed number of fields, so header and sid cannot be confused whatever the sid holds.
  return Buffer.from(`${header}\u0000${sid}`, 'utf8');
}

function seal(key: ReadyKey, iv: Buffer, additional: Buffer, plaintext: string): Buffer {
  const cipher = createCipheriv(ALGORITHM, key.key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(additional);
  return Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
}

function open(key: ReadyKey, ivText: string, bodyText: string, additional: Buffer): string {
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (iv.length !== IV_BYTES || body.length < TAG_BYTES) throw new Error('malformed encrypted session');
  const decipher = createDecipheriv(ALGORITHM, key.key, iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(additional);
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
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
