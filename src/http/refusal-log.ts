/**
 * @module
 * Sampled logging of refusals. Anyone can send unsigned queries, so one log line per refusal
 * would let unauthenticated traffic grow the logs without bound. The first refusal of each kind
 * is always logged; after that at most `perInterval` lines per kind per interval, and the next
 * line logged says how many were left out (`suppressed`). Kinds are catalog codes, a fixed set,
 * so the bookkeeping is bounded too.
 */
import type { Clock } from '../clock/clock.js';

export interface RefusalSampling {
  /** Length of one sampling window, ms. */
  readonly intervalMs: number;
  /** Lines per kind per window. */
  readonly perInterval: number;
}

export const REFUSAL_SAMPLING: RefusalSampling = Object.freeze({ intervalMs: 10_000, perInterval: 5 });

interface KindState {
  windowStart: number;
  logged: number;
  suppressed: number;
}

/**
 * Returns a gate: call it once per refusal of `kind`; it answers `undefined` to skip the line,
 * or the number of lines skipped since the last one logged (0 for none) to log it.
 */
export function refusalSampler(
  clock: Clock,
  sampling: RefusalSampling = REFUSAL_SAMPLING,
): (kind: string | number) => number | undefined {
  const kinds = new Map<string | number, KindState>();
  return (kind) => {
    const now = clock.now();
    let state = kinds.get(kind);
    if (state === undefined) {
      state = { windowStart: now, logged: 0, suppressed: 0 };
      kinds.set(kind, state);
    } else if (now - state.windowStart >= sampling.intervalMs) {
      state.windowStart = now;
      state.logged = 0;
    }
    if (state.logged >= sampling.perInterval) {
      state.suppressed++;
      return undefined;
    }
    state.logged++;
    const skipped = state.suppressed;
    state.suppressed = 0;
    return skipped;
  };
}
