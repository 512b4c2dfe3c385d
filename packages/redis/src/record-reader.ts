import type { Redis } from 'ioredis';
import { isCluster } from './key-scan';
import type { RedisClient } from './options';

/** A stored value and the absolute time its key expires (epoch ms; null when the key has no expiry). */
export interface RawRecord {
  key: string;
  value: string;
  expiresAt: number | null;
}

/**
 * Reads values together with their keys' expiry, atomically and in one round trip (a MULTI of
 * GET/MGET plus one expiry read per key, sent as one pipeline).
 *
 * `PEXPIRETIME` (Redis 7.0+) returns the absolute expiry exactly as `SET .. PXAT` and
 * `PEXPIREAT` wrote it, so `get` hands back the very `cookie.expires` the last set or touch
 * asked for. Older servers do not know it: the first "unknown command" reply switches this
 * reader, for good, to `PTTL` added to the local clock (exact to the network delay).
 */
export class RecordReader {
  private exactExpiry = true;

  /** The records of `keys` that exist, in the order given. */
  async read(client: RedisClient, keys: readonly string[]): Promise<RawRecord[]> {
    if (keys.length === 0) return [];
    // A Cluster transaction must stay within one slot: one key per transaction, all in flight at once.
    if (isCluster(client) && keys.length > 1) {
      const records = await Promise.all(keys.map((key) => this.read(client, [key])));
      return records.flat();
    }
    for (;;) {
      const exact = this.exactExpiry;
      try {
        return await this.transaction(client as Redis, keys, exact);
      } catch (error) {
        if (!exact || !isUnknownCommand(error, 'pexpiretime')) throw error;
        this.exactExpiry = false;
      }
    }
  }

  private async transaction(client: Redis, keys: readonly string[], exact: boolean): Promise<RawRecord[]> {
    const multi = client.multi();
    if (keys.length === 1) multi.get(keys[0]!);
    else multi.mget(...keys);
    for (const key of keys) {
      if (exact) multi.pexpiretime(key);
      else multi.pttl(key);
    }
    const replies = await multi.exec();
    const now = Date.now();
    if (!replies) throw new Error('the MULTI transaction was aborted');
    for (const [error] of replies) if (error) throw error;
    const first = replies[0]![1];
    const values = (keys.length === 1 ? [first] : first) as Array<string | null>;
    const records: RawRecord[] = [];
    keys.forEach((key, index) => {
      const value = values[index];
      // Number(): a client with stringNumbers answers integers as strings.
      const expiry = Number(replies[index + 1]![1]);
      // -2: the key is gone (deleted between the reads cannot happen inside MULTI, but a
      // non-string key makes MGET answer null); -1: the key has no expiry.
      if (value === null || value === undefined || expiry === -2) return;
      const expiresAt = expiry === -1 ? null : exact ? expiry : now + expiry;
      records.push({ key, value, expiresAt });
    });
    return records;
  }
}

/** True when Redis rejected `command` as unknown (directly, or as the reason a MULTI was aborted). */
export function isUnknownCommand(error: unknown, command: string): boolean {
  const messages: string[] = [];
  const collect = (candidate: unknown) => {
    if (candidate instanceof Error) messages.push(candidate.message);
  };
  collect(error);
  const previous = (error as { previousErrors?: unknown } | null)?.previousErrors;
  if (Array.isArray(previous)) previous.forEach(collect);
  const pattern = new RegExp(`unknown command '${command}'`, 'i');
  return messages.some((message) => pattern.test(message));
}
