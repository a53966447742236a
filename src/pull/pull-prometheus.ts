/**
 * @module
 * Pull mode's Prometheus series, read from the carriers' counters at scrape time, labelled by
 * carrier id (configured, a fixed set) and failure kind (a fixed set): nothing from an upstream
 * or a request becomes a label.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { FAILURE_KINDS, LATENCY_BUCKETS, type PullCarrierStats } from './pull-metrics.js';

const BREAKER_VALUE = { closed: 0, 'half-open': 1, open: 2 } as const;

export function registerPullMetrics(
  registry: Registry,
  read: () => ReadonlyMap<string, PullCarrierStats>,
): (carrier: string, seconds: number) => void {
  const counter = (name: string, help: string, pick: (s: PullCarrierStats) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['carrier'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [carrier, s] of read()) this.inc({ carrier }, pick(s));
      },
    });
  const gauge = (name: string, help: string, pick: (s: PullCarrierStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['carrier'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [carrier, s] of read()) this.set({ carrier }, pick(s));
      },
    });
  counter('wxtrack_upstream_calls_total', "Calls made to a carrier's upstream tracking API.", (s) => s.calls);
  gauge('wxtrack_upstream_calls_in_flight', 'Upstream calls running now.', (s) => s.callsInFlight);
  counter(
    'wxtrack_upstream_cache_hits_total',
    'Pull-mode queries served fresh from the node cache.',
    (s) => s.hits,
  );
  counter(
    'wxtrack_upstream_cache_misses_total',
    'Pull-mode queries that waited for an upstream call.',
    (s) => s.misses,
  );
  counter(
    'wxtrack_upstream_stale_served_total',
    'Pull-mode queries served a stale reply (stale-while-refresh or during a failure).',
    (s) => s.staleServes,
  );
  counter(
    'wxtrack_upstream_unmapped_total',
    'Upstream replies with a status code no table knows.',
    (s) => s.unmapped,
  );
  counter(
    'wxtrack_upstream_dropped_traces_total',
    'Upstream traces left out (no real time, or too many).',
    (s) => s.droppedTraces,
  );
  gauge('wxtrack_upstream_cache_entries', 'Waybills in the pull-mode cache.', (s) => s.cacheEntries);
  gauge(
    'wxtrack_upstream_breaker_state',
    'Circuit breaker: 0 closed, 1 half-open, 2 open.',
    (s) => BREAKER_VALUE[s.breaker],
  );
  counter('wxtrack_upstream_breaker_opened_total', 'Times the breaker opened.', (s) => s.breakerOpens);
  new Counter({
    name: 'wxtrack_upstream_errors_total',
    help: 'Upstream calls that failed, and calls refused before starting (open-circuit, budget, saturated), by kind.',
    labelNames: ['carrier', 'kind'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [carrier, s] of read())
        for (const kind of FAILURE_KINDS) this.inc({ carrier, kind }, s.errors[kind]);
    },
  });
  // Observed as calls finish (a histogram cannot be mirrored from counts through prom-client).
  const latency = new Histogram({
    name: 'wxtrack_upstream_call_duration_seconds',
    help: 'Upstream call latency, connect to last byte, timeouts included.',
    labelNames: ['carrier'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  return (carrier, seconds) => latency.observe({ carrier }, seconds);
}
