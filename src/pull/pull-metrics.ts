/**
 * @module
 * What pull mode counts, as plain numbers read at scrape time (pull-prometheus.ts turns them
 * into Prometheus series): upstream calls and their latency, failures by kind, cache hits,
 * misses and stale serves, and the breaker's state. Kinds are a fixed set, never upstream text.
 */
import type { BreakerState } from './breaker.js';

/** Why a reply could not come from a fresh call. */
export type FailureKind =
  | 'timeout'
  | 'http-5xx'
  | 'http-status'
  | 'garbage'
  | 'oversized'
  | 'network'
  | 'refused'
  | 'open-circuit'
  | 'budget'
  | 'saturated';

export const FAILURE_KINDS: readonly FailureKind[] = [
  'timeout',
  'http-5xx',
  'http-status',
  'garbage',
  'oversized',
  'network',
  'refused',
  'open-circuit',
  'budget',
  'saturated',
];

/** Upper bounds of the latency histogram, seconds. */
export const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5];

export interface PullStats {
  /** Upstream calls made (each one counts against the budget). */
  calls: number;
  callsInFlight: number;
  /** Cumulative latency histogram of finished calls: counts per bucket, then +Inf; sum seconds. */
  latencyBuckets: number[];
  latencySum: number;
  errors: Record<FailureKind, number>;
  hits: number;
  misses: number;
  staleServes: number;
  /** Replies an upstream gave a status code the tables did not know. */
  unmapped: number;
  /** Traces left out of a reply (not a real time, or too many). */
  droppedTraces: number;
  cacheEntries: number;
  breakerOpens: number;
}

export function emptyPullStats(): PullStats {
  return {
    calls: 0,
    callsInFlight: 0,
    latencyBuckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
    latencySum: 0,
    errors: Object.fromEntries(FAILURE_KINDS.map((k) => [k, 0])) as Record<FailureKind, number>,
    hits: 0,
    misses: 0,
    staleServes: 0,
    unmapped: 0,
    droppedTraces: 0,
    cacheEntries: 0,
    breakerOpens: 0,
  };
}

export function observeLatency(stats: PullStats, seconds: number): void {
  stats.latencySum += seconds;
  let i = LATENCY_BUCKETS.findIndex((b) => seconds <= b);
  if (i < 0) i = LATENCY_BUCKETS.length;
  stats.latencyBuckets[i]!++;
}

/** A carrier's stats with its breaker's state, as the metrics read them. */
export interface PullCarrierStats extends PullStats {
  readonly breaker: BreakerState;
}
