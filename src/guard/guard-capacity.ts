/**
 * @module
 * How many live entries a replay guard must hold to cover its whole window at a given rate.
 *
 * The gateway (gateway/answer-query.ts) accepts a query when `|now − ts| ≤ window` and records its
 * signature until `expiresAt = ts + window + 1 s`. The newest accepted timestamp is `now + window`,
 * so an entry recorded at `s` lives at most until `s + 2 × window + 1 s`. At any instant `t`, the
 * live entries are therefore the first uses recorded in `(t − (2 × window + 1 s), t]`: a gateway
 * that never serves more than `maxRate` first uses per second over any such span holds at most
 *
 *     capacity = maxRate × (2 × windowSeconds + 1)
 *
 * live entries. With the default 300 s window that is 601 × maxRate: 18,030,000 at 30,000 q/s.
 * Honest clocks keep it lower (a query stamped "now" lives window + 1 s, half of that), but a
 * client whose clock runs a window ahead is within the protocol, so the bound assumes it.
 */

/** Longest an entry lives, in seconds, for a timestamp window of `windowSeconds` either way. */
export function entryLifetimeSeconds(windowSeconds: number): number {
  return 2 * windowSeconds + 1;
}

/** Live entries needed to serve `maxRate` first uses per second with no signature forgotten early. */
export function guardCapacity(options: { readonly windowSeconds: number; readonly maxRate: number }): number {
  const { windowSeconds, maxRate } = options;
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) {
    throw new RangeError('windowSeconds must be a positive integer');
  }
  if (!Number.isFinite(maxRate) || maxRate <= 0) throw new RangeError('maxRate must be positive');
  return Math.ceil(maxRate * entryLifetimeSeconds(windowSeconds));
}
