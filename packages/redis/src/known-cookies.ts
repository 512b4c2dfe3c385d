/**
 * What this process last saw stored as each session's cookie, apart from `expires`, so that a
 * touch whose cookie differs from the stored one only in `expires` (what express-session sends
 * on every request without a change) moves the key's expiry with one `PEXPIREAT` instead of
 * rewriting the value in a script. The stored cookie stays true for readers through the store:
 * `get` answers `cookie.expires` from the key's expiry (PEXPIRETIME), which is the truth.
 *
 * A signature is the cookie's JSON with the text of `expires` replaced by `*` (null and false,
 * a browser-session cookie, stay as they are). Equal signatures mean equal cookies but for the
 * date. Any doubt (another process wrote the session, the memo was full) is a miss: touch then
 * takes the script, which compares with what is really stored.
 *
 * Bounded: at most `max` sids, the oldest forgotten first (by halves). Signatures are mostly the same few
 * strings (one per cookie configuration), shared through a small intern table.
 */
export class KnownCookies {
  /** Two generations of at most `max / 2` sids: the older is dropped whole when the newer fills (no per-entry eviction). */
  private current = new Map<string, string>();
  private previous = new Map<string, string>();
  private readonly interned = new Map<string, string>();

  constructor(private readonly max: number) {}

  remember(sid: string, signature: string | null): void {
    if (signature === null) return this.forget(sid);
    let shared = this.interned.get(signature);
    if (shared === undefined) {
      shared = signature;
      if (this.interned.size < MAX_INTERNED) this.interned.set(signature, signature);
    }
    if (!this.current.has(sid) && this.current.size * 2 >= this.max) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(sid, shared);
  }

  /** True when the cookie last seen stored for `sid` has this signature. */
  matches(sid: string, signature: string): boolean {
    return (this.current.get(sid) ?? this.previous.get(sid)) === signature;
  }

  forget(sid: string): void {
    this.current.delete(sid);
    this.previous.delete(sid);
  }

  clear(): void {
    this.current.clear();
    this.previous.clear();
  }
}

/** Distinct cookie signatures shared; more are kept per sid unshared. */
const MAX_INTERNED = 64;
const EXPIRES_DATE = /"expires":"[^"]*"/;

/** The signature of a cookie given as JSON (see KnownCookies). */
export function cookieSignature(cookieJson: string): string {
  return cookieJson.replace(EXPIRES_DATE, '"expires":"*"');
}

const HEAD = '{"cookie":{';

/**
 * The signature of the cookie at the start of a stored value as JSON.stringify writes an
 * express-session session (`{"cookie":{...},...}`), or null. The cookie is taken up to its first
 * `}`: express-session cookies are flat. When a string inside it holds a `}`, the text taken is
 * not a whole cookie and can never equal a touched cookie's signature: a miss, not an error.
 */
export function storedCookieSignature(payload: string): string | null {
  if (!payload.startsWith(HEAD)) return null;
  const end = payload.indexOf('}', HEAD.length);
  return end === -1 ? null : cookieSignature(payload.slice(HEAD.length - 1, end + 1));
}
