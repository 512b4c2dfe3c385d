import { sidInNamespace } from '@session-stores/core';

/**
 * Memcached keys for sids.
 *
 * Memcached keys are at most 250 bytes, and the text protocol (which `lru_crawler metadump`,
 * `mg` and most tools speak) splits on spaces and control characters. Sids are opaque strings
 * (CONTRACT clause 9), so the sid part of a key is escaped, reversibly:
 *
 * - printable ASCII other than `%` (0x21-0x7E) stays as it is, so the sids express-session makes
 *   (base64url) give exactly connect-memcached's key, `prefix + sid`;
 * - `%`, space, control characters and DEL become `%XX` (two upper-case hex digits);
 * - every UTF-16 code unit above 0x7F becomes `%uXXXX`. Code units rather than UTF-8 bytes, so
 *   that a sid holding a lone surrogate (which has no UTF-8 form) is still its own key.
 */

/** The longest key memcached accepts, in bytes. */
export const MAX_KEY_BYTES = 250;

function isPlain(code: number): boolean {
  return code >= 0x21 && code <= 0x7e && code !== 0x25;
}

function hex(code: number, digits: number): string {
  return code.toString(16).toUpperCase().padStart(digits, '0');
}

/** The key-safe form of a sid; the identity for sids of plain printable ASCII without `%`. */
export function escapeSid(sid: string): string {
  let out = '';
  for (let i = 0; i < sid.length; i++) {
    const code = sid.charCodeAt(i);
    if (isPlain(code)) out += sid[i];
    else if (code < 0x80) out += `%${hex(code, 2)}`;
    else out += `%u${hex(code, 4)}`;
  }
  return out;
}

const ESCAPE = /%(?:u([0-9A-F]{4})|([0-9A-F]{2}))/g;

/**
 * The sid an escaped key part stands for, or null when the text is not exactly what
 * {@link escapeSid} writes (a key some other program wrote under the same prefix: its sid
 * would not map back to the same key, so it is not one of this store's sessions).
 */
export function unescapeSid(escaped: string): string | null {
  if (escaped.length === 0) return null;
  const sid = escaped.replace(ESCAPE, (_, unit: string | undefined, byte: string | undefined) =>
    String.fromCharCode(parseInt(unit ?? byte!, 16)),
  );
  return escapeSid(sid) === escaped ? sid : null;
}

/** The memcached key of `sid` under `prefix` (the prefix is validated to be key-safe). */
export function sessionKey(prefix: string, sid: string): string {
  return prefix + escapeSid(sid);
}

/**
 * The sid of a key under `prefix`, or null when the key is not a session key of that prefix:
 * outside it, or in a nested namespace (a longer prefix such as `sess:admin:` under `sess:`),
 * whose keys hold a ":" after this prefix (see the core's namespace.ts; escaping never adds one).
 */
export function sidOfKey(prefix: string, key: string): string | null {
  const escaped = sidInNamespace(prefix, key);
  return escaped === null ? null : unescapeSid(escaped);
}

/** A key memcached accepts: escaped keys are ASCII, so characters are bytes. */
export function isValidKeyLength(key: string): boolean {
  return key.length <= MAX_KEY_BYTES;
}
