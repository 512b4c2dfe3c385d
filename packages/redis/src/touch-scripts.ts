import { LuaScript } from './lua-script';

/**
 * touch in one round trip: replaces the stored session's `cookie` with the touched one and
 * moves the key's expiry, atomically, leaving every other byte of the stored session as it is
 * (the rest of the touched copy may be stale: clause 20). This is what express-session's own
 * MemoryStore does, and it keeps a cookie change that only touch carries (an app setting
 * `req.session.cookie.maxAge` for "remember me" does not mark the session modified).
 *
 * It splices text instead of decoding JSON, since Lua's cjson would rewrite numbers and empty
 * arrays: when the stored JSON starts with `{"cookie":{` (JSON.stringify of an express-session
 * session does), the cookie object ends at the `}` that closes it outside any string.
 *
 * KEYS[1]: the key. ARGV[1]: the new cookie as JSON, or '' to never splice. ARGV[2]: the new
 * expiry (epoch ms), or '' to keep the key's expiry (disableTTL).
 * Returns 0 when the key does not exist (touch never creates a session: clause 21), 1 when
 * done, or `{ storedValue }` (an array, never confused with a number, even on a client with
 * stringNumbers) when it cannot splice it: the caller then rewrites it itself.
 */
export const TOUCH_COOKIE = new LuaScript(String.raw`
local value = redis.call('GET', KEYS[1])
if not value then return 0 end
local cookie, expiresAt = ARGV[1], ARGV[2]
local head = '{"cookie":'
if cookie == '' or string.sub(value, 1, #head + 1) ~= head .. '{' then return { value } end
local depth, i, n = 0, #head + 1, #value
while i <= n do
  local c = string.byte(value, i)
  if c == 34 then
    i = i + 1
    while true do
      local q = string.find(value, '["\\]', i)
      if not q then return { value } end
      if string.byte(value, q) == 92 then
        i = q + 2
      else
        i = q + 1
        break
      end
    end
  else
    if c == 123 or c == 91 then
      depth = depth + 1
    elseif c == 125 or c == 93 then
      depth = depth - 1
      if depth == 0 then break end
    end
    i = i + 1
  end
end
if depth ~= 0 then return { value } end
local updated = head .. cookie .. string.sub(value, i + 1)
if expiresAt == '' then
  redis.call('SET', KEYS[1], updated, 'KEEPTTL')
else
  redis.call('SET', KEYS[1], updated, 'PXAT', expiresAt)
end
return 1
`);

/**
 * The second step of a touch that could not splice (custom serializer, encryption, or a stored
 * session whose cookie is not its first key): writes the rewritten session only if the stored
 * one is still the value that was read, so a concurrent set is never rolled back (clause 50).
 * KEYS[1]: the key. ARGV[1]: the value read. ARGV[2]: the new value. ARGV[3]: expiry or ''.
 */
export const COMPARE_AND_SET = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '' then
  redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
else
  redis.call('SET', KEYS[1], ARGV[2], 'PXAT', ARGV[3])
end
return 1
`);
