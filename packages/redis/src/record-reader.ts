import { isCluster } from './key-scan';
import { LuaScript } from './lua-script';
import type { RedisClient } from './options';

/** A stored value and the absolute time its key expires (epoch ms; null when the key has no expiry). */
export interface RawRecord {
  key: string;
  value: string;
  expiresAt: number | null;
}

/**
 * Reads each key's value and expiry, atomically, as one command: `[value1, expiry1, value2, ...]`.
 * ARGV[1] '1' makes a key that is not a string read as missing (pages of SCAN, where another
 * client may have just replaced a key) instead of failing the whole read with WRONGTYPE (get).
 * A script rather than MULTI/EXEC: one command instead of four, several times faster in ioredis.
 */
function readScript(expiryCommand: 'PEXPIRETIME' | 'PTTL'): LuaScript {
  return new LuaScript(`
local lenient = ARGV[1] == '1'
local out = {}
for i, key in ipairs(KEYS) do
  local value
  if lenient then
    value = redis.pcall('GET', key)
    if type(value) == 'table' and value.err then value = false end
  else
    value = redis.call('GET', key)
  end
  out[2 * i - 1] = value
  out[2 * i] = redis.call('${expiryCommand}', key)
end
return out
`);
}

/** Absolute expiry (Redis 7.0+), exactly as `SET .. PXAT` and the touch script wrote it. */
const READ_EXACT = readScript('PEXPIRETIME');
/** Remaining lifetime, for servers before 7.0. */
const READ_REMAINING = readScript('PTTL');

/**
 * Reads values together with their keys' expiry in one round trip. `PEXPIRETIME` (Redis 7.0+)
 * gives back the very `cookie.expires` the last set or touch asked for. Older servers do not
 * know it: the first read that fails on it switches this reader, for good, to `PTTL` added to
 * the local clock (exact to the network delay).
 */
export class RecordReader {
  private exactExpiry = true;

  /** The records of `keys` that exist, in the order given. `lenient`: non-string keys read as missing. */
  async read(client: RedisClient, keys: readonly string[], lenient = false): Promise<RawRecord[]> {
    if (keys.length === 0) return [];
    // A multi-key script must stay within one slot: on a Cluster, one key per script, all in flight at once.
    if (isCluster(client) && keys.length > 1) {
      const records = await Promise.all(keys.map((key) => this.read(client, [key], lenient)));
      return records.flat();
    }
    for (;;) {
      const exact = this.exactExpiry;
      try {
        return await this.readOnce(client, keys, lenient, exact);
      } catch (error) {
        if (!exact || !isUnknownCommandInScript(error)) throw error;
        this.exactExpiry = false;
      }
    }
  }

  private async readOnce(
    client: RedisClient,
    keys: readonly string[],
    lenient: boolean,
    exact: boolean,
  ): Promise<RawRecord[]> {
    const reply = await (exact ? READ_EXACT : READ_REMAINING).run(client, keys, [lenient ? '1' : '0']);
    const now = Date.now();
    if (!Array.isArray(reply)) throw new Error(`unexpected reply to the read script: ${typeof reply}`);
    const records: RawRecord[] = [];
    keys.forEach((key, index) => {
      const value: unknown = reply[2 * index];
      // Number(): a client with stringNumbers answers integers as strings.
      const expiry = Number(reply[2 * index + 1]);
      // -2: no such key; -1: a key without expiry.
      if (value === null || value === undefined || expiry === -2) return;
      const expiresAt = expiry === -1 ? null : exact ? expiry : now + expiry;
      records.push({ key, value: String(value), expiresAt });
    });
    return records;
  }
}

/**
 * True when a script failed on a command the server does not know. The read scripts call
 * nothing but GET and PEXPIRETIME/PTTL, so on a server before 7.0 that is PEXPIRETIME.
 */
export function isUnknownCommandInScript(error: unknown): boolean {
  return error instanceof Error && /Unknown Redis command called from script/i.test(error.message);
}
