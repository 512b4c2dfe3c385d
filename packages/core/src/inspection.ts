/**
 * One session's record exactly as the backend holds it, for a demo page, an admin tool or
 * debugging: where it lives in the backend's own terms, what is stored there, and the expiry the
 * store wrote. It is a view for people, not an API for reading sessions (use `get`): its `stored`
 * value is whatever the backend keeps, encrypted payloads included.
 */
export interface RecordInspection {
  /** The backend, as users name it: `Redis`, `PostgreSQL`, `MongoDB`, `SQLite`, `Memcached`. */
  backend: string;
  /** Where the record lives, in the backend's terms: `key "sess:abc"`, `row sid = 'abc' of table "session"`. */
  location: string;
  /**
   * What the backend stores: the value of a key or item (a string), the columns of a row or the
   * fields of a document (an object; dates as ISO strings).
   */
  stored: unknown;
  /** When the backend will drop the record, in epoch ms; null when the backend cannot say (memcached). */
  expiresAt: number | null;
  /** The expiry in the backend's own terms: `PTTL 86399512 ms`, `expire = 2026-12-03 10:00:00.000+00`. */
  expiry: string;
}
