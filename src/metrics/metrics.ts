/**
 * @module
 * The gateway's Prometheus metrics (prom-client), in one registry of its own. What an operator
 * needs to see a gateway: queries by outcome and carrier, their latency, the reply cache and the
 * replay guard, ingestion, store errors, connections, and the event loop's lag.
 *
 * Labels take values from fixed sets only (catalog codes, configured carrier ids), never from a
 * request, so no caller can grow the series. The cache and the guard are read at scrape time
 * through a small `stats()` shape, so any implementation of either can be watched.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { GuardStats } from '../guard/replay-guard.js';

/** What the metrics read from a replay guard: any ReplayGuard. */
export interface GuardStatsSource {
  stats(): GuardStats;
}

/** What the metrics read from a reply cache. */
export interface CacheStatsSource {
  stats(): {
    readonly hits: number;
    readonly misses: number;
    readonly evictions: number;
    readonly entries?: number;
    readonly bytes?: number;
  };
}

/** What the metrics read from the connection cap (see http/connection-limit.ts). */
export type ConnectionStatsSource = () => {
  readonly open: number;
  readonly evicted: number;
  readonly refused: number;
};

export interface MetricsSources {
  readonly guard?: GuardStatsSource;
  readonly cache?: CacheStatsSource;
}

export interface GatewayMetrics {
  readonly registry: Registry;
  /** One answered track query: its catalog code, carrier (once known) and duration. */
  query(code: number, carrier: string | undefined, seconds: number): void;
  /** One push or import batch's tally. */
  ingested(counts: {
    readonly accepted: number;
    readonly duplicates: number;
    readonly rejected: number;
  }): void;
  /** A store operation that failed, by where it was needed. */
  storeError(where: 'query' | 'ingest' | 'ready'): void;
  /** Starts reading connection counts (the app calls it once its server exists). */
  watchConnections(source: ConnectionStatsSource): void;
  /** Stops the event-loop monitor. */
  stop(): void;
}

/** A counter whose value is read from a monotonic source at scrape time. */
function mirroredCounter(registry: Registry, name: string, help: string, read: () => number | undefined) {
  return new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      const value = read();
      this.reset();
      if (value !== undefined) this.inc(value);
    },
  });
}

/**
 * `aggregator`: how `serve --workers` sums the workers' values (cluster-metrics.ts): `sum` for
 * what each process holds, `max` for what the workers of one machine share (the reply view).
 */
function mirroredGauge(
  registry: Registry,
  name: string,
  help: string,
  read: () => number | undefined,
  aggregator: 'sum' | 'max' = 'sum',
) {
  return new Gauge({
    name,
    help,
    aggregator,
    registers: [registry],
    collect() {
      const value = read();
      if (value !== undefined) this.set(value);
    },
  });
}

export function createMetrics(sources: MetricsSources = {}): GatewayMetrics {
  const registry = new Registry();
  // Process metrics, event-loop lag (nodejs_eventloop_lag_seconds) among them.
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });

  const queries = new Counter({
    name: 'wxtrack_queries_total',
    help: 'Track queries answered, by err_code (0 is a served reply) and carrier.',
    labelNames: ['err_code', 'carrier'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'wxtrack_query_duration_seconds',
    help: 'Time from the query reaching the route to its answer.',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const events = new Counter({
    name: 'wxtrack_ingested_events_total',
    help: 'Pushed or imported events, by result (accepted, duplicate, rejected).',
    labelNames: ['result'],
    registers: [registry],
  });
  const batches = new Counter({
    name: 'wxtrack_ingest_batches_total',
    help: 'Push requests that reached the store.',
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: 'wxtrack_store_errors_total',
    help: 'Store operations that failed, by where they were needed (query, ingest, ready).',
    labelNames: ['where'],
    registers: [registry],
  });
  for (const where of ['query', 'ingest', 'ready']) storeErrors.inc({ where }, 0);

  const cache = () => sources.cache?.stats();
  mirroredCounter(registry, 'wxtrack_reply_cache_hits_total', 'Reply cache hits.', () => cache()?.hits);
  mirroredCounter(registry, 'wxtrack_reply_cache_misses_total', 'Reply cache misses.', () => cache()?.misses);
  mirroredCounter(
    registry,
    'wxtrack_reply_cache_evictions_total',
    'Replies dropped from the cache to stay within its memory bound.',
    () => cache()?.evictions,
  );
  // The reply view is one file per machine, shared by its workers: each reports the same figure.
  mirroredGauge(
    registry,
    'wxtrack_reply_cache_entries',
    'Replies in the cache.',
    () => cache()?.entries,
    'max',
  );
  mirroredGauge(
    registry,
    'wxtrack_reply_cache_bytes',
    'Bytes of replies in the cache.',
    () => cache()?.bytes,
    'max',
  );

  const guard = () => sources.guard?.stats();
  mirroredGauge(
    registry,
    'wxtrack_replay_guard_entries',
    'Signatures the replay guard holds.',
    () => guard()?.entries,
  );
  mirroredGauge(
    registry,
    'wxtrack_replay_guard_capacity',
    'Signatures the replay guard can hold.',
    () => guard()?.capacity,
  );
  mirroredCounter(
    registry,
    'wxtrack_replay_guard_expired_total',
    'Expired signatures whose room the guard reclaimed (it never forgets one inside its window).',
    () => guard()?.expiredEvictions,
  );
  mirroredCounter(
    registry,
    'wxtrack_replay_guard_refusals_total',
    'Queries the replay guard refused because it could not vouch for them: full, or its backend unreachable (answered 50001).',
    () => guard()?.refusals,
  );

  let connections: ConnectionStatsSource | undefined;
  mirroredGauge(
    registry,
    'wxtrack_http_connections_open',
    'Open client connections.',
    () => connections?.().open,
  );
  mirroredCounter(
    registry,
    'wxtrack_http_connections_evicted_total',
    'Idle or half-sent connections closed to make room under the connection cap.',
    () => connections?.().evicted,
  );
  mirroredCounter(
    registry,
    'wxtrack_http_connections_refused_total',
    'Connections refused because every connection under the cap was busy.',
    () => connections?.().refused,
  );

  return {
    registry,
    query(code, carrier, seconds) {
      queries.inc({ err_code: String(code), carrier: carrier ?? '' });
      latency.observe(seconds);
    },
    ingested(counts) {
      batches.inc();
      events.inc({ result: 'accepted' }, counts.accepted);
      events.inc({ result: 'duplicate' }, counts.duplicates);
      events.inc({ result: 'rejected' }, counts.rejected);
    },
    storeError(where) {
      storeErrors.inc({ where });
    },
    watchConnections(source) {
      connections = source;
    },
    stop() {
      registry.clear();
    },
  };
}
