import type { ExpiryCommand, RedisDriver } from './driver';
import { LuaScript } from './lua-script';

/** A stored value and the absolute time its key expires (epoch ms; null when the key has no expiry). */
export interface RawRecord {
  key: string;
  value: string;
  expiresAt: number | null;
}

/**
 * Reads each key's value and expiry, atomically, as one command: `[value1, expiry1, value2, ...]`.
 * Used for pages of SCAN, where one script call replaces two commands per key. A key that is
 * not a string (another client may have just replaced it) reads as missing instead of failing
 * the whole page with WRONGTYPE.
 */
function pageScript(expiryCommand: ExpiryCommand): LuaScript {
  return new LuaScript(`
local out = {}
for i, key in ipairs(KEYS) do
  local value = redis.pcall('GET', key)
  if type(value) == 'table' and value.err then value = false end
  out[2 * i - 1] = value
  out[2 * i] = redis.call('${expiryCommand}', key)
end
return out
`);
}

/** One key's value and expiry, as one command; a key that is not a string fails with WRONGTYPE, as GET would. */
function oneScript(expiryCommand: ExpiryCommand): LuaScript {
  return new LuaScript(`return { redis.call('GET', KEYS[1]), redis.call('${expiryCommand}', KEYS[1]) }`);
}

const PAGE_SCRIPTS: Record<ExpiryCommand, LuaScript> = {
  PEXPIRETIME: pageScript('PEXPIRETIME'),
  PTTL: pageScript('PTTL'),
};
const ONE_SCRIPTS: Record<ExpiryCommand, LuaScript> = {
  PEXPIRETIME: oneScript('PEXPIRETIME'),
  PTTL: oneScript('PTTL'),
};

/**
 * Reads values together with their keys' expiry in one round trip. `PEXPIRETIME` (Redis 7.0+)
 * gives back the very `cookie.expires` the last set or touch asked for. Older servers do not
 * know it: the first read that fails on it switches this reader, for good, to `PTTL` added to
 * the local clock (exact to the network delay).
 *
 * One session is read with GET and PEXPIRETIME sent together on node-redis, which writes both in
 * one socket write: measured at 64 calls in flight, 255,000-373,000 reads/s against
 * 147,000-209,000 for a script (Redis runs the script slower), at the same client CPU (2-3 µs).
 * On ioredis, which writes each command on its own, the script wins (7-10 µs of client CPU
 * against 11-17 µs, 46,000-83,000 reads/s against 18,000-56,000) and is kept. The two commands
 * are not atomic: a set landing between them pairs one version's value with the other's expiry,
 * both real at that moment; a delete between them reads as missing.
 */
export class RecordReader {
  private expiryCommand: ExpiryCommand = 'PEXPIRETIME';

  /** The record of `key`, or null. Every get runs it: no async frame beyond the driver's promise. */
  readOne(driver: RedisDriver, key: string): Promise<RawRecord | null> {
    const command = this.expiryCommand;
    const read = driver.readsWithScript
      ? ONE_SCRIPTS[command].run(driver, [key], []).then((reply) => {
          if (!Array.isArray(reply)) throw new Error(`unexpected reply to the read script: ${typeof reply}`);
          return this.record(key, reply[0], reply[1], command, Date.now());
        })
      : driver
          .readWithExpiry(key, command)
          .then(([value, expiry]) => this.record(key, value, expiry, command, Date.now()));
    return read.catch((error: unknown) => {
      if (!this.fallsBack(command, error)) throw error;
      return this.readOne(driver, key);
    });
  }

  /** The records of `keys` that exist and are strings, in the order given. */
  async readPage(driver: RedisDriver, keys: readonly string[]): Promise<RawRecord[]> {
    if (keys.length === 0) return [];
    // A multi-key script must stay within one slot: on a Cluster, one key per script, all in flight at once.
    if (driver.isCluster && keys.length > 1) {
      const records = await Promise.all(keys.map((key) => this.readPage(driver, [key])));
      return records.flat();
    }
    return this.withFallback(async (command) => {
      const reply = await PAGE_SCRIPTS[command].run(driver, keys, []);
      const now = Date.now();
      if (!Array.isArray(reply)) throw new Error(`unexpected reply to the read script: ${typeof reply}`);
      const records: RawRecord[] = [];
      keys.forEach((key, index) => {
        const record = this.record(key, reply[2 * index], reply[2 * index + 1], command, now);
        if (record) records.push(record);
      });
      return records;
    });
  }

  private async withFallback<T>(read: (command: ExpiryCommand) => Promise<T>): Promise<T> {
    for (;;) {
      const command = this.expiryCommand;
      try {
        return await read(command);
      } catch (error) {
        if (!this.fallsBack(command, error)) throw error;
      }
    }
  }

  /** True when `command` failed for want of PEXPIRETIME: this reader then uses PTTL, for good. */
  private fallsBack(command: ExpiryCommand, error: unknown): boolean {
    if (command === 'PTTL' || !isUnknownCommand(error)) return false;
    this.expiryCommand = 'PTTL';
    return true;
  }

  private record(key: string, value: unknown, rawExpiry: unknown, command: ExpiryCommand, now: number) {
    // Number(): a client with stringNumbers answers integers as strings.
    const expiry = Number(rawExpiry);
    // -2: no such key; -1: a key without expiry.
    if (value === null || value === undefined || value === false || expiry === -2) return null;
    const expiresAt = expiry === -1 ? null : command === 'PEXPIRETIME' ? expiry : now + expiry;
    return { key, value: String(value), expiresAt };
  }
}

/** True when Redis does not know a command (sent directly or from a script): here, PEXPIRETIME before 7.0. */
export function isUnknownCommand(error: unknown): boolean {
  return error instanceof Error && /unknown (redis )?command/i.test(error.message);
}
