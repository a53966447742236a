/**
 * @module
 * When a cached upstream reply may be served, as a pure function of the entry and the time.
 *
 * - fresh: served, no call;
 * - stale: served at once, and one refresh starts in the background unless one failed within
 *   the retry wait (stale-while-refresh);
 * - expired: past the stale limit, never served: the query waits for a call, and fails closed
 *   (50001) when the call fails.
 */
import type { CacheSettings } from './pull-settings.js';

export interface CachedFacts {
  readonly fetchedAt: number;
  /** A signed parcel's trace is final: fresh for longer. */
  readonly signed: boolean;
  /** "No such waybill" upstream. */
  readonly unknown: boolean;
  /** When the last refresh of this entry failed, if it did since `fetchedAt`. */
  readonly failedAt?: number;
}

export type Freshness = 'fresh' | 'stale' | 'expired';

export function freshFor(entry: CachedFacts, policy: CacheSettings): number {
  if (entry.unknown) return policy.unknownFreshMs;
  return entry.signed ? policy.signedFreshMs : policy.freshMs;
}

export function freshness(entry: CachedFacts, now: number, policy: CacheSettings): Freshness {
  const freshUntil = entry.fetchedAt + freshFor(entry, policy);
  if (now < freshUntil) return 'fresh';
  return now < freshUntil + policy.maxStaleMs ? 'stale' : 'expired';
}

/** Whether a stale entry should start a refresh now. */
export function shouldRefresh(entry: CachedFacts, now: number, policy: CacheSettings): boolean {
  return entry.failedAt === undefined || now - entry.failedAt >= policy.retryMs;
}
