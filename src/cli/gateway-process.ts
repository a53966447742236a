/**
 * @module
 * Wiring a running gateway: store, replay guard, logger and HTTP app, opened in order and
 * closed in reverse. `serve` and `demo` share it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_TRACE_OPTIONS } from '../carrier/carrier.js';
import { SwappableCarriers, type CarrierSource } from '../carrier/carrier-source.js';
import { systemClock, type Clock } from '../clock/clock.js';
import type { GatewayConfig, IngestConfig } from '../config.js';
import { startRetention, systemTimer } from '../retention/retention.js';
import { MemoryReplayGuard } from '../guard/memory/memory-guard.js';
import { buildApp } from '../http/app.js';
import { createLogger, type Logger } from '../http/logging.js';
import { MemoryReplyCache } from '../cache/memory/memory-cache.js';
import { CachedStore } from '../store/cached-store.js';
import { makeCarrierRenderer } from '../store/renderer.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { MetricsServer } from '../metrics/metrics-server.js';
import type { Store } from '../store/store.js';

export interface RunningGateway {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly logger: Logger;
  /** The carriers in force; a reload swaps them. */
  readonly carriers: SwappableCarriers;
  /** `http://host:port`. */
  readonly origin: string;
  /** `http://host:port` of `GET /metrics`, when configured. */
  readonly metricsOrigin?: string;
  /** Stops accepting, finishes requests in flight, then closes the guard and the store. */
  close(): Promise<void>;
}

/**
 * Opens the SQLite store, rendering each carrier's replies with its zone and trace options as
 * they are when the waybill is rendered (so a reload applies to replies rendered after it).
 */
export function openStore(
  config: Pick<GatewayConfig, 'dbPath' | 'carriers'>,
  clock: Clock = systemClock,
  source: CarrierSource = { current: () => config.carriers },
): SqliteStore {
  if (config.dbPath !== ':memory:') mkdirSync(dirname(config.dbPath), { recursive: true });
  return new SqliteStore({
    path: config.dbPath,
    clock,
    renderer: makeCarrierRenderer((id) => {
      const carriers = source.current();
      const carrier = carriers.find((c) => c.id === id) ?? carriers[0];
      const trace = carrier?.trace ?? DEFAULT_TRACE_OPTIONS;
      return {
        timeZone: carrier?.timezone ?? 'Asia/Shanghai',
        traceOrder: trace.order,
        address: trace.address,
      };
    }),
  });
}

export interface GatewayParts {
  readonly logger?: Logger;
  /** A store to use instead of opening `config.dbPath`; it is closed with the gateway. */
  readonly store?: Store;
  /** The /v1 API's settings and the retention schedule; defaults when left out. */
  readonly ingest?: IngestConfig;
}

export async function startGateway(config: GatewayConfig, parts: GatewayParts = {}): Promise<RunningGateway> {
  const ingest = parts.ingest;
  const clock = systemClock;
  const logger = parts.logger ?? createLogger(config.logLevel);
  const carriers = new SwappableCarriers(config.carriers);
  const opened = parts.store ?? openStore(config, clock, carriers);
  const cache = config.cacheMb > 0 ? new MemoryReplyCache({ maxBytes: config.cacheMb * 2 ** 20 }) : undefined;
  const store = cache ? new CachedStore({ store: opened, cache, clock }) : opened;
  const guard = new MemoryReplayGuard({ clock, maxEntries: config.replayMaxEntries });
  const metricsAt = config.limits?.metrics;
  // Loaded only when asked for: prom-client costs every start of every command otherwise.
  const metrics: GatewayMetrics | undefined =
    metricsAt === undefined
      ? undefined
      : (await import('../metrics/metrics.js')).createMetrics({
          ...(cache ? { cache } : {}),
          guard: {
            stats: () => ({
              entries: guard.size,
              evictions: guard.evictions,
              capacity: config.replayMaxEntries,
            }),
          },
        });
  const app = buildApp({
    config,
    store,
    guard,
    clock,
    logger,
    carrierSource: carriers,
    ...(ingest ? { ingest } : {}),
    ...(metrics ? { metrics } : {}),
  });
  let metricsServer: MetricsServer | undefined;
  try {
    await app.listen({ host: config.host, port: config.port });
    if (metrics && metricsAt) {
      const { startMetricsServer } = await import('../metrics/metrics-server.js');
      metricsServer = await startMetricsServer(metrics.registry, metricsAt);
    }
  } catch (err) {
    await app.close();
    await store.close();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const retention =
    ingest?.retentionDays === undefined
      ? undefined
      : startRetention({
          store,
          retentionDays: ingest.retentionDays,
          clock,
          timer: systemTimer,
          onRun: (o) =>
            'error' in o
              ? logger.error({ err: o.error }, 'retention purge failed')
              : logger.info({ ...o.removed, cutoff: new Date(o.cutoff).toISOString() }, 'retention purge'),
        });
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    logger,
    carriers,
    origin: `http://${host}:${port}`,
    ...(metricsServer ? { metricsOrigin: metricsServer.origin } : {}),
    close: () =>
      (closing ??= (async () => {
        retention?.stop();
        await metricsServer?.close();
        metrics?.stop();
        await app.close();
        await guard.close();
        await store.close();
      })()),
  };
}

/** Resolves with the signal's name on the first SIGTERM or SIGINT. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

/** Calls `handler` on every SIGHUP until the returned function is called. */
export function onReloadSignal(handler: () => void): () => void {
  const on = () => handler();
  process.on('SIGHUP', on);
  return () => void process.off('SIGHUP', on);
}
