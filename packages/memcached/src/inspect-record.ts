import type { RecordInspection } from '@session-stores/core';
import type { BinaryCommands } from './binary-protocol';

/**
 * The item under `key` exactly as memcached holds it, or null when there is none: its value as
 * text, its flags and its CAS token. memcached does not tell an item's expiry through a get
 * (the store writes it, but cannot read it back), so `expiresAt` is null and `expiry` says so:
 * the stored cookie's `expires` is what the store goes by.
 */
export async function inspectMemcachedRecord(commands: BinaryCommands, key: string): Promise<RecordInspection | null> {
  const item = await commands.get(key);
  if (item === null) return null;
  return {
    backend: 'Memcached',
    location: `key ${JSON.stringify(key)}`,
    stored: { value: item.value.toString('utf8'), flags: item.flags, cas: item.cas.toString('hex') },
    expiresAt: null,
    expiry: 'not readable: memcached keeps the exptime the store wrote, but a get does not return it',
  };
}
