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
import { WorkerIngestor } from '../ingest/push/worker/worker-ingestor.js';
import type { CarrierRenderOptions } from '../ingest/push/worker/worker-protocol.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

export interface RunningGateway {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly logger: Logger;
  /** The carriers in force; a reload swaps them. */
  readonly carriers: SwappableCarriers;
  /** `http://host:port`. */
  readonly origin: string;
  /** Stops accepting, finishes requests in flight, then closes the guard and the store. */
  close(): Promise<void>;
}

/** A carrier's zone and trace options as they are now (a reload swaps them). */
export function renderOptionsFrom(source: CarrierSource): (carrier: string) => CarrierRenderOptions {
  return (id) => {
    const carriers = source.current();
    const carrier = carriers.find((c) => c.id === id) ?? carriers[0];
    const trace = carrier?.trace ?? DEFAULT_TRACE_OPTIONS;
    return {
      timeZone: carrier?.timezone ?? 'Asia/Shanghai',
      traceOrder: trace.order,
      address: trace.address,
    };
  };
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
    renderer: makeCarrierRenderer(renderOptionsFrom(source)),
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
  const store =
    config.cacheMb > 0
      ? new CachedStore({
          store: opened,
          cache: new MemoryReplyCache({ maxBytes: config.cacheMb * 2 ** 20 }),
          clock,
        })
      : opened;
  // Pushes are stored by a worker thread with its own connection, so a big one never stalls a
  // query. A store handed in, or an in-memory database, has no file another thread could open:
  // pushes then go through it on this thread. The worker starts while the app does.
  const ingestor =
    parts.store === undefined && config.dbPath !== ':memory:'
      ? WorkerIngestor.create({
          store: { dbPath: config.dbPath },
          renderOptionsOf: renderOptionsFrom(carriers),
          ...(store instanceof CachedStore
            ? { onStored: (carrier: string, waybills: readonly string[]) => store.forget(carrier, waybills) }
            : {}),
          onCrash: (err) => logger.error({ err }, 'push worker stopped; pushes in flight failed'),
        })
      : undefined;
  const guard = new MemoryReplayGuard({ clock, maxEntries: config.replayMaxEntries });
  const app = buildApp({
    config,
    store,
    guard,
    clock,
    logger,
    carrierSource: carriers,
    ...(ingest ? { ingest } : {}),
    ...(ingestor ? { ingestor } : {}),
  });
  try {
    // Refuse to serve without a push worker: fail closed, before "listening" is announced.
    await Promise.all([app.listen({ host: config.host, port: config.port }), ingestor?.ready()]);
  } catch (err) {
    await app.close();
    await ingestor?.close();
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
    close: () =>
      (closing ??= (async () => {
        retention?.stop();
        await app.close();
        await ingestor?.close();
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
