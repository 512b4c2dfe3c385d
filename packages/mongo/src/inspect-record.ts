import type { RecordInspection } from '@session-stores/core';
import type { Collection } from 'mongodb';
import type { SessionDocument } from './mongo-store';

/**
 * The document of `sid` exactly as MongoDB holds it, or null when there is none: every field,
 * `session` as stored (JSON text, or a subdocument with `stringify: false`), dates as ISO
 * strings. A document past its `expires` that no TTL monitor or prune has removed yet is shown
 * too: it is still in the collection, and `expires` says why `get` no longer returns it.
 */
export async function inspectMongoRecord(
  collection: Collection<SessionDocument>,
  sid: string,
  readOptions: object,
): Promise<RecordInspection | null> {
  const document = await collection.findOne({ _id: sid }, readOptions);
  if (document === null) return null;
  const expires: unknown = document.expires;
  const expiresAt = expires instanceof Date && !Number.isNaN(expires.getTime()) ? expires.getTime() : null;
  return {
    backend: 'MongoDB',
    location: `document _id ${JSON.stringify(sid)} of ${collection.dbName}.${collection.collectionName}`,
    // Through JSON, as the interface promises plain values: Dates become ISO strings, BSON
    // values their JSON form (Binary as base64, ObjectId as hex).
    stored: JSON.parse(JSON.stringify(document)) as unknown,
    expiresAt,
    expiry:
      expiresAt === null
        ? `expires = ${JSON.stringify(expires)}`
        : `expires = ISODate("${new Date(expiresAt).toISOString()}")`,
  };
}
