import type { RedisDriver } from './driver';
import { LuaScript } from './lua-script';

/**
 * The index by user of the `userId` option (see README, "Sessions by user"): one sorted set per
 * user, its members the user's sids, each scored with the session's expiry (epoch ms).
 *
 * Every script here touches ONE key (the user's set, or one session key), so each runs on a
 * Cluster whatever the slots of a user's sessions: the session keys keep connect-redis's layout
 * (no hash tag), and a user's sessions are spread over the slots.
 *
 * The index is a superset of the truth, never a subset: a write adds the sid to the user's set
 * BEFORE it writes the session (awaited first, or sent first on the same connection: see
 * IndexWriter), a member's score is only ever raised, and nothing removes a member on a guess. Reads verify each
 * member (the session key exists, is live, and its stored session still names that user), so a
 * destroyed session, or one since saved under another user or none, is never listed although
 * its member stays until its score passes. Members whose score has passed are removed when the
 * set next gets a new member or is read; the set itself expires no earlier than its last member.
 */

/** The key of the sorted set of `userId`'s sids, for a store whose keys start with `prefix`. */
export function userIndexKey(prefix: string, userId: string): string {
  // Outside `prefix*` (SCAN of the namespace, and connect-redis's own all/length/clear, never
  // meet it), and the prefix's length makes it unambiguous: prefix 'a:' with user 'b:c' and
  // prefix 'a:b:' with user 'c' get different keys.
  return `by-user:${prefix.length}:${prefix}${userId}`;
}

/**
 * Adds (or re-scores) a sid in a user's set, drops the members past their expiry, and makes the
 * set expire with its last member.
 * KEYS[1]: the user's set. ARGV[1]: sid. ARGV[2]: the session's expiry (epoch ms). ARGV[3]: now
 * (epoch ms). ARGV[4]: '1' to expire the set itself ('' with disableTTL, where no key expires).
 * ARGV[5]: '1' to only raise the score (the store always passes it: of two writes of one sid
 * landing in either order, the member keeps the later expiry). Used before Redis 7.0 only.
 */
export const INDEX_ADD = new LuaScript(`
local key, sid, expiresAt = KEYS[1], ARGV[1], tonumber(ARGV[2])
local current = redis.call('ZSCORE', key, sid)
if ARGV[5] ~= '1' or not current or tonumber(current) < expiresAt then
  redis.call('ZADD', key, expiresAt, sid)
end
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[3])
if ARGV[4] == '1' then
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if last[2] then redis.call('PEXPIREAT', key, last[2]) end
end
return 1
`);

/**
 * INDEX_ADD with less work for Redis (7.0+: `PEXPIREAT .. NX/GT`): raises (or adds) the member,
 * sets the set's expiry where it has none and moves it later where it is earlier than the
 * member's score (never earlier: the set outlives every member), and removes the members past
 * their expiry only when it added one (a set grows only then). No ZSCORE and no ZRANGE: measured
 * with the by-user bench's sets, Redis spends 8.5-10 µs per set with the index instead of 12-13.
 * KEYS[1]: the user's set. ARGV[1]: sid. ARGV[2]: the session's expiry (epoch ms). ARGV[3]: now
 * (epoch ms). ARGV[4]: '1' to expire the set itself ('' with disableTTL, where no key expires).
 */
export const INDEX_RAISE = new LuaScript(`
local key, score = KEYS[1], ARGV[2]
if redis.call('ZADD', key, 'GT', score, ARGV[1]) == 1 then
  redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[3])
end
if ARGV[4] == '1' and redis.call('PEXPIREAT', key, score, 'GT') == 0 then
  -- Not moved: a later expiry already, or none yet (GT leaves a key without one as it is).
  redis.call('PEXPIREAT', key, score, 'NX')
end
return 1
`);

/**
 * Writes a session and its member in its user's set in one round trip, on a connection where
 * Redis runs commands in the order sent ({@link RedisDriver.runsInOrderSent}): the index script
 * and then the session's own write are sent in the same tick, and the member is there before
 * the session, as when the script is awaited first. If the script fails while the write
 * succeeded (NOSCRIPT and then EVAL failing, or any error), the write is undone: a session is
 * never live without its member. Before Redis 7.0 (no `PEXPIREAT .. NX/GT`), the first set
 * finds out and INDEX_ADD serves from then on.
 */
export class IndexWriter {
  /** False once the server refused `PEXPIREAT .. NX` (Redis 6.2). */
  private conditionalExpiry = true;

  constructor(
    private readonly driver: RedisDriver,
    /** False with disableTTL: no key expires, the set neither. */
    private readonly expiresSets: boolean,
  ) {}

  /** Whether {@link addThenSet} may send both at once; otherwise {@link add} is awaited before the write. */
  get pipelines(): boolean {
    return this.driver.runsInOrderSent;
  }

  /**
   * Adds `sid` (scored `score`, the session's expiry, or its current score if later) to the set
   * `setKey`, and then writes the session (`SET sessionKey payload [PXAT at]`). If the index
   * failed while the SET succeeded, the session is deleted again if it still holds `payload`,
   * and the set fails with the index's error.
   */
  async addThenSet(
    setKey: string,
    sid: string,
    score: number,
    sessionKey: string,
    payload: string,
    at: number | null,
  ): Promise<void> {
    const indexed = this.add(setKey, sid, score);
    const written = this.driver.set(sessionKey, payload, at);
    // Awaited below, after the index: a failure meanwhile is not an unhandled rejection.
    written.catch(() => {});
    try {
      await indexed;
    } catch (error) {
      // If the undo fails too (Redis gone between the two replies), the session stays without
      // its member: the set's error already tells the caller the outcome is unknown.
      if (
        await written.then(
          () => true,
          () => false,
        )
      )
        await DELETE_IF_UNCHANGED.run(this.driver, [sessionKey], [payload]).catch(() => {});
      throw error;
    }
    await written;
  }

  /**
   * Adds `sid` with `score` or raises its score to it (never lowers it: of two writes of one sid
   * landing in either order, the member keeps the later expiry), and keeps the set's expiry at or
   * after every score, with whichever script this server runs.
   */
  async add(setKey: string, sid: string, score: number): Promise<void> {
    const args = [sid, score, Date.now(), this.expiresSets ? '1' : ''];
    if (this.conditionalExpiry) {
      try {
        await INDEX_RAISE.run(this.driver, [setKey], args);
        return;
      } catch (error) {
        if (!unsupportedCondition(error)) throw error;
        // The member is in (ZADD ran before the refused PEXPIREAT): INDEX_ADD sets the expiry.
        this.conditionalExpiry = false;
      }
    }
    await INDEX_ADD.run(this.driver, [setKey], [...args, '1']);
  }
}

/** True when Redis refused PEXPIREAT's NX/GT (Redis 6.2 takes two arguments only). */
function unsupportedCondition(error: unknown): boolean {
  return error instanceof Error && /wrong number of arguments|syntax error|unsupported option/i.test(error.message);
}

/**
 * A user's members not past their expiry, as `[sid1, score1, sid2, ...]`, after dropping the
 * others. KEYS[1]: the user's set. ARGV[1]: now (epoch ms).
 */
export const INDEX_READ = new LuaScript(`
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
return redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
`);

/**
 * Removes members of sessions that destroyUserSessions deleted, each only if its score is still
 * the one read: a set that re-created the sid meanwhile re-scored it, and keeps it.
 * KEYS[1]: the user's set. ARGV: sid1, score1, sid2, score2, ...
 */
export const INDEX_FORGET = new LuaScript(`
local removed = 0
for i = 1, #ARGV, 2 do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) == tonumber(ARGV[i + 1]) then
    removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return removed
`);

/**
 * Deletes a session key only if it still holds the value that was read (and verified to be the
 * user's): a session saved meanwhile is read and verified again rather than deleted blind.
 * KEYS[1]: the session key. ARGV[1]: the value read. Returns 1 when deleted, else 0.
 */
export const DELETE_IF_UNCHANGED = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`);

/** The `[sid, score, ...]` reply of INDEX_READ as pairs (scores as the strings Redis gave). */
export function indexMembers(reply: unknown): { sid: string; score: string }[] {
  if (!Array.isArray(reply)) throw new Error(`unexpected reply to the user index read: ${typeof reply}`);
  const members: { sid: string; score: string }[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) members.push({ sid: String(reply[i]), score: String(reply[i + 1]) });
  return members;
}
