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
 * BEFORE it writes the session, and nothing removes a member on a guess. Reads verify each
 * member (the session key exists, is live, and its stored session still names that user), so a
 * destroyed session, or one since saved under another user or none, is never listed although
 * its member stays until its score passes. Members whose score has passed are removed when the
 * set is next written or read; the set itself expires with its last member.
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
 * ARGV[5]: '1' to only raise the score (touch: never lower it under a concurrent set's).
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
