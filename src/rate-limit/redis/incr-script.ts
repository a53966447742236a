/**
 * @module
 * The shared budget's count, as one Lua script: INCR and, on a window's first query, PEXPIRE, run
 * atomically, so no key is left without a TTL and two nodes counting the same address at once both
 * count. The key names the window (its start), so a window's count dies with its TTL and the next
 * window starts from 0 without a reset. The TTL is the window's remaining life plus a slack for
 * clock differences between nodes.
 *
 * KEYS[1] the counter; ARGV[1] its TTL, ms. Replies the count.
 */
import { createHash } from 'node:crypto';

export const INCR_SCRIPT = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

/** The script's SHA-1, as EVALSHA names it. */
export const INCR_SCRIPT_SHA = createHash('sha1').update(INCR_SCRIPT).digest('hex');
