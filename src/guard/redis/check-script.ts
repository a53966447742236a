/**
 * @module
 * The Redis guard's check, as one Lua script: Redis runs a script atomically, so two nodes
 * checking the same signature at the same moment cannot both see it as new (one gets `first`,
 * the other `repeat` or `conflict`).
 *
 * Time comes from the caller (the gateway's injected clock), not from Redis's TIME: the entry's
 * expiry is the gateway's notion (timestamp + window + 1 s), and tests move it by hand. The key
 * still gets a real TTL, the entry's remaining life plus a slack for clock differences between
 * nodes, so Redis reclaims the memory itself.
 *
 * The binding's value is `<expiresAt ms> <binding hash>`.
 *
 * **Memory.** A Redis that restarts without persistence, or is flushed, forgets every binding:
 * a signature bound before could then be replayed for another parcel (100 of 100 were, before
 * this check). So the script also keeps a *marker* key, `<epoch> <since ms>`: `since` is the
 * moment from which Redis's memory of bindings is complete (0: as far back as matters). Each
 * guard remembers the epoch it last saw:
 *
 * - the marker is missing and this guard saw one before: Redis lost its memory. A new epoch is
 *   written with `since` = now;
 * - the marker is missing and this guard never saw one (its process just started): a first start,
 *   or a loss no running gateway saw. It is written with `since` = 0, and a running gateway that
 *   knew the old epoch moves `since` to its now at its next check (the next case);
 * - the marker's epoch is not the one this guard saw and its `since` is 0: the same loss, found
 *   by another guard first; `since` becomes now.
 *
 * A signature not bound yet whose timestamp (less a margin for clocks, ARGV[5]) is before `since`
 * may have been bound before the loss: refused (reply 3, answered 40003). Newer ones are judged
 * as usual, so the refusals end one window after the loss, when every older signature has expired.
 *
 * KEYS: [1] the signature's key, [2] the marker. ARGV: [1] binding hash, [2] now, [3] expiresAt,
 * [4] TTL slack, [5] the signature's timestamp less the margin, [6] the epoch this guard saw
 * ('' for none), [7] a fresh epoch, used if a marker must be written.
 *
 * Reply: `{verdict, epoch, since, lost}`; verdict 0 first, 1 repeat, 2 conflict, 3 refused as
 * possibly bound before a loss; `lost` 1 when this call found the loss.
 */
import { createHash } from 'node:crypto';

export const CHECK_SCRIPT = `
local now = tonumber(ARGV[2])
local known = ARGV[6]
local marker = redis.call('GET', KEYS[2])
local epoch
local since
local lost = 0
if not marker then
  epoch = ARGV[7]
  if known == '' then since = 0 else since = now; lost = 1 end
  redis.call('SET', KEYS[2], epoch .. ' ' .. since)
else
  local cut = string.find(marker, ' ', 1, true)
  epoch = string.sub(marker, 1, cut - 1)
  since = tonumber(string.sub(marker, cut + 1))
  if known ~= '' and epoch ~= known then
    lost = 1
    if since == 0 then
      since = now
      redis.call('SET', KEYS[2], epoch .. ' ' .. since)
    end
  end
end
local held = redis.call('GET', KEYS[1])
if held then
  local cut = string.find(held, ' ', 1, true)
  if tonumber(string.sub(held, 1, cut - 1)) > now then
    if string.sub(held, cut + 1) == ARGV[1] then return {1, epoch, since, lost} end
    return {2, epoch, since, lost}
  end
end
if since > 0 and tonumber(ARGV[5]) < since then return {3, epoch, since, lost} end
local life = tonumber(ARGV[3]) - now
if life <= 0 then return {0, epoch, since, lost} end
redis.call('SET', KEYS[1], ARGV[3] .. ' ' .. ARGV[1], 'PX', life + tonumber(ARGV[4]))
return {0, epoch, since, lost}
`;

/** The script's SHA-1, as EVALSHA names it. */
export const CHECK_SCRIPT_SHA = createHash('sha1').update(CHECK_SCRIPT).digest('hex');
