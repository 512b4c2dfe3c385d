/**
 * What this process last saw stored as each session's cookie, apart from `expires`, so that a
 * touch whose cookie differs from the stored one only in `expires` (what express-session sends
 * on every request without a change) moves only the backend's expiry (Redis `PEXPIREAT`, an
 * UPDATE of PostgreSQL's `expire` column) instead of rewriting the stored cookie. The stored
 * cookie stays true for readers through the store: `get` answers `cookie.expires` from the
 * backend's expiry, which is the truth. For stores whose backend keeps the expiry beside the
 * session and whose `get` answers from it (not with a `ttl` function, nor encryption, whose
 * sealed expiry must move with the data).
 *
 * A signature is the cookie's JSON with the text of `expires` replaced by `*` (null and false,
 * a browser-session cookie, stay as they are). Equal signatures mean equal cookies but for the
 * date. Any doubt (another process wrote the session, the memo was full) is a miss: touch then
 * takes its full path, which compares with what is really stored.
 *
 * Bounded: at most `max` sids, the oldest forgotten first (by halves). Signatures are mostly the same few
 * strings (one per cookie configuration), shared through a small intern table.
 */
export class KnownCookies {
  /** Two generations of at most `max / 2` sids: the older is dropped whole when the newer fills (no per-entry eviction). */
  private current = new Map<string, string>();
  private previous = new Map<string, string>();
  private readonly interned = new Map<string, string>();

  /**
   * `max`: about 100 bytes each, 5 MB at most by default. Enough for the sessions a process
   * serves between two requests of one user, and for the bench's 20,000 sessions per figure.
   */
  constructor(private readonly max = 50_000) {}

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

/**
 * The signature of a touched session's cookie without serializing the cookie whole: what
 * `cookieSignature(JSON.stringify(cookie))` gives, or null when that cannot be told cheaply
 * (then touch serializes it and compares what is stored). An express-session Cookie serializes
 * through its toJSON, whose Date V8 cannot put on its fast path: that took half of touch's
 * own CPU. Its plain data, with `expires` already `*`, takes the fast path.
 */
export function touchedCookieSignature(cookie: unknown): string | null {
  if (typeof cookie !== 'object' || cookie === null) return null;
  try {
    const toJSON = (cookie as { toJSON?: unknown }).toJSON;
    const data: unknown = typeof toJSON === 'function' ? (toJSON as (key: string) => unknown).call(cookie, '') : cookie;
    if (typeof data !== 'object' || data === null || Array.isArray(data)) return null;
    const fields = data as Record<string, unknown>;
    const expires = fields.expires;
    if (typeof expires === 'string' && expires.includes('"')) return null;
    // Where JSON would write expires as a string, the signature has `*`; null, false or an
    // invalid Date (JSON null) stay as they are, as in cookieSignature.
    const dated =
      typeof expires === 'string' ||
      (expires instanceof Date && !Number.isNaN(expires.getTime()) && expires.toJSON === Date.prototype.toJSON);
    if (last !== null && sameCookie(last, fields, dated)) return last.signature;
    const signature = JSON.stringify(dated ? { ...fields, expires: '*' } : fields) ?? null;
    last = flatCookie(fields, dated, signature);
    return signature;
  } catch {
    // A cookie JSON cannot write: the slow path reports it.
    return null;
  }
}

/**
 * The last cookie signed, when all its fields were primitives: a touch's cookie is nearly
 * always the same as the last one but for `expires` (one cookie configuration per app), and
 * comparing its few fields costs less than serializing them again.
 */
interface FlatCookie {
  keys: string[];
  /** A copy: a plain-object cookie is the app's, which may change it afterwards. */
  values: unknown[];
  dated: boolean;
  signature: string | null;
}
let last: FlatCookie | null = null;

function flatCookie(fields: Record<string, unknown>, dated: boolean, signature: string | null): FlatCookie | null {
  const keys = Object.keys(fields);
  const values: unknown[] = [];
  for (const key of keys) {
    const value = fields[key];
    values.push(value);
    if (key === 'expires' && dated) continue;
    if (typeof value === 'object' && value !== null) return null;
    if (typeof value === 'function' || typeof value === 'symbol') return null;
  }
  return { keys, values, dated, signature };
}

/** Equal primitives under the same keys, in the same order, serialize the same. */
function sameCookie(flat: FlatCookie, fields: Record<string, unknown>, dated: boolean): boolean {
  if (flat.dated !== dated) return false;
  const keys = Object.keys(fields);
  if (keys.length !== flat.keys.length) return false;
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index]!;
    if (key !== flat.keys[index]) return false;
    if (key === 'expires' && dated) continue;
    if (fields[key] !== flat.values[index]) return false;
  }
  return true;
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
