import type { RecordInspection } from '@session-stores/core';
import type { RawRecord } from './record-reader';

/**
 * A session's key exactly as Redis holds it, or null when there is none: the string value as
 * stored (encrypted or custom-serialized values included) and the key's own expiry, which is
 * what `get` returns as `cookie.expires`. `key` is the key as the store sends it (a client's own
 * `keyPrefix`, if any, comes before it on the server).
 */
export function inspectRedisRecord(record: RawRecord | null): RecordInspection | null {
  if (record === null) return null;
  return {
    backend: 'Redis',
    location: `key ${JSON.stringify(record.key)}`,
    stored: record.value,
    expiresAt: record.expiresAt,
    expiry:
      record.expiresAt === null
        ? 'no expiry on the key (disableTTL)'
        : `PEXPIRETIME ${record.expiresAt} (${new Date(record.expiresAt).toISOString()})`,
  };
}
