/**
 * @module
 * Wiring a running gateway: store, replay guard (both through the backend seam), logger and HTTP
 * app, opened in order and closed in reverse. `serve` and `demo` share it.
 */
import type { FastifyInstance } from 'fastify';
import { carrierRenderer, openGuard, openStore } from '../backends/open-backends.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import { SwappableCarriers } from '../carrier/carrier-source.js';
import { systemClock } from '../clock/clock.js';
import type { GatewayConfig, IngestConfig } from '../config.js';
import { startRetention, systemTimer } from '../retention/retention.js';
import { buildApp } from '../http/app.js';
import { createLogger, type Logger } from '../http/logging.js';
import { MemoryReplyCache } from '../cache/memory/memory-cache.js';
import { CachedStore } from '../store/cached-store.js';
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

export interface GatewayParts {
  readonly logger?: Logger;
  /** A store to use instead of opening `config.store`; it is closed with the gateway. */
  readonly store?: Store;
  /** The /v1 API's settings and the retention schedule; defaults when left out. */
  readonly ingest?: IngestConfig;
  /** Create the database when `config.dbPath` does not exist (`--create`, the demo); default: refuse. */
  readonly createDb?: boolean;
}

export async function startGateway(config: GatewayConfig, parts: GatewayParts = {}): Promise<RunningGateway> {
  const ingest = parts.ingest;
  const clock = systemClock;
  const logger = parts.logger ?? createLogger(config.logLevel);
  const carriers = new SwappableCarriers(config.carriers);
  const onBackendError = throttledLog(logger, 'backend connection error; retrying', 10_000);
  const opened =
    parts.store ??
    (await openStore(config.store, {
      clock,
      renderer: carrierRenderer(carriers),
      onBackendError,
      create: parts.createDb ?? false,
    }));
  const store =
    config.cacheMb > 0
      ? new CachedStore({
          store: opened,
          cache: new MemoryReplyCache({ maxBytes: config.cacheMb * 2 ** 20 }),
          clock,
        })
      : opened;
  let guard: ReplayGuard;
  try {
    guard = await openGuard(config.guard, { clock, onBackendError });
  } catch (err) {
    await opened.close();
    throw err;
  }
  const app = buildApp({
    config,
    store,
    guard,
    clock,
    logger,
    carrierSource: carriers,
    ...(ingest ? { ingest } : {}),
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    await guard.close();
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
        await guard.close();
        await store.close();
      })()),
  };
}

/**
 * Logs an error at most once per `everyMs`, with the number passed over: a backend that is down
 * reports every reconnection attempt, and the log should say so once, not a thousand times.
 */
function throttledLog(logger: Logger, message: string, everyMs: number): (err: Error) => void {
  let last = -Infinity;
  let skipped = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < everyMs) {
      skipped++;
      return;
    }
    logger.warn({ err: { message: err.message }, skipped }, message);
    last = now;
    skipped = 0;
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
