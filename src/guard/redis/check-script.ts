/**
 * @module
 * The Redis guard's check, as one Lua script: Redis runs a script atomically, so two nodes
 * checking the same signature at the same moment cannot both see it as new (one gets `first`,
 * the other `repeat` or `conflict`).
 *
 * Time comes from the caller (ARGV[2], the gateway's injected clock), not from Redis's TIME: the
 * entry's expiry is the gateway's notion (timestamp + window + 1 s), and tests move it by hand.
 * The key still gets a real TTL, the entry's remaining life plus a slack for clock differences
 * between nodes, so Redis reclaims the memory itself.
 *
 * The value is `<expiresAt ms> <binding hash>`; replies: 0 first, 1 repeat, 2 conflict.
 */
import { createHash } from 'node:crypto';

export const CHECK_SCRIPT = `
local now = tonumber(ARGV[2])
local held = redis.call('GET', KEYS[1])
if held then
  local cut = string.find(held, ' ', 1, true)
  if tonumber(string.sub(held, 1, cut - 1)) > now then
    if string.sub(held, cut + 1) == ARGV[1] then return 1 end
    return 2
  end
end
local life = tonumber(ARGV[3]) - now
if life <= 0 then return 0 end
redis.call('SET', KEYS[1], ARGV[3] .. ' ' .. ARGV[1], 'PX', life + tonumber(ARGV[4]))
return 0
`;

/** The script's SHA-1, as EVALSHA names it. */
export const CHECK_SCRIPT_SHA = createHash('sha1').update(CHECK_SCRIPT).digest('hex');
