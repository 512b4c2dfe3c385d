import { createDecipheriv, createHmac, pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { ConnectMemcachedSecretOptions } from './options';

/**
 * Decryption of the sessions connect-memcached stores with its `secret` option (through
 * kruptein 3, with connect-memcached's settings): the value is the base64 of a DER SEQUENCE of
 * six OCTET STRINGs, `ct` (the base64 ciphertext), `hmac` (base64), `iv`, `salt` (raw bytes),
 * `at` (the GCM tag) and `aad` (base64). The key is PBKDF2 of the secret with that salt (20,000
 * iterations of `hashing`); the HMAC covers the text `ct + salt + iv` as kruptein builds it (the
 * raw bytes read as UTF-8). Written from that description, to read old sessions once: they are
 * then rewritten in this store's own format.
 */

const derive = promisify(pbkdf2);
const PBKDF2_ITERATIONS = 20_000;
const GCM_TAG_BYTES = 16;
const FIELDS = 6;
const DER_SEQUENCE = 0x30;
const DER_OCTET_STRING = 0x04;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function keyBytes(algorithm: string): number {
  return Number(/^aes-(\d+)-gcm$/.exec(algorithm)![1]) / 8;
}

/** Reads one DER tag-length-value at `offset`; null when it does not fit. */
function readTlv(der: Buffer, offset: number): { tag: number; value: Buffer; end: number } | null {
  if (offset + 2 > der.length) return null;
  const tag = der[offset]!;
  let length = der[offset + 1]!;
  let start = offset + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || start + octets > der.length) return null;
    length = der.readUIntBE(start, octets);
    start += octets;
  }
  const end = start + length;
  return end > der.length ? null : { tag, value: der.subarray(start, end), end };
}

interface Envelope {
  ct: string;
  hmac: Buffer;
  iv: Buffer;
  salt: Buffer;
  at: Buffer;
  aad: string;
}

/** The envelope of a connect-memcached ciphertext, or null when `text` is not one (a plain session, say). */
export function parseConnectMemcachedCiphertext(text: string): Envelope | null {
  if (text.length < 16 || !BASE64.test(text)) return null;
  const der = Buffer.from(text, 'base64');
  const sequence = readTlv(der, 0);
  if (!sequence || sequence.tag !== DER_SEQUENCE || sequence.end !== der.length) return null;
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < sequence.value.length) {
    const field = readTlv(sequence.value, offset);
    if (!field || field.tag !== DER_OCTET_STRING) return null;
    parts.push(field.value);
    offset = field.end;
  }
  if (parts.length !== FIELDS) return null;
  const [ct, hmac, iv, salt, at, aad] = parts as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
  return { ct: ct.toString('utf8'), hmac, iv, salt, at, aad: aad.toString('utf8') };
}

/** The session JSON inside a connect-memcached ciphertext; throws when the secret or settings do not open it. */
export async function decryptConnectMemcached(
  envelope: Envelope,
  options: Required<ConnectMemcachedSecretOptions>,
): Promise<string> {
  const key = await derive(
    options.secret,
    envelope.salt,
    PBKDF2_ITERATIONS,
    keyBytes(options.algorithm),
    options.hashing,
  );
  const material = Buffer.from(envelope.ct + envelope.salt.toString('utf8') + envelope.iv.toString('utf8'), 'utf8');
  const expected = Buffer.from(createHmac(options.hashing, key).update(material).digest('base64'), 'utf8');
  if (expected.length !== envelope.hmac.length || !timingSafeEqual(expected, envelope.hmac)) {
    throw new Error('its HMAC does not match: another secret or hashing, or the value was altered');
  }
  const decipher = createDecipheriv(options.algorithm as 'aes-256-gcm', key, envelope.iv, {
    authTagLength: GCM_TAG_BYTES,
  });
  decipher.setAuthTag(envelope.at);
  decipher.setAAD(Buffer.from(envelope.aad, 'base64'));
  return decipher.update(envelope.ct, 'base64', 'utf8') + decipher.final('utf8');
}
