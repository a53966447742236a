/**
 * @module
 * Wiring a running gateway: store, replay guard, logger and HTTP app, opened in order and
 * closed in reverse. `serve` and `demo` share it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { systemClock, type Clock } from '../clock/clock.js';
import type { GatewayConfig, IngestConfig } from '../config.js';
import { startRetention, systemTimer } from '../retention/retention.js';
import { MemoryReplayGuard } from '../guard/memory/memory-guard.js';
import { buildApp } from '../http/app.js';
import { createLogger, type Logger } from '../http/logging.js';
import { makeRenderer } from '../store/renderer.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

export interface RunningGateway {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly logger: Logger;
  /** `http://host:port`. */
  readonly origin: string;
  /** Stops accepting, finishes requests in flight, then closes the guard and the store. */
  close(): Promise<void>;
}

/** Opens the SQLite store with renderers for the configured carriers' time zones. */
export function openStore(
  config: Pick<GatewayConfig, 'dbPath' | 'carriers'>,
  clock: Clock = systemClock,
): SqliteStore {
  if (config.dbPath !== ':memory:') mkdirSync(dirname(config.dbPath), { recursive: true });
  const zones = new Map(config.carriers.map((c) => [c.id, c.timezone]));
  const fallback = config.carriers[0]?.timezone ?? 'Asia/Shanghai';
  return new SqliteStore({
    path: config.dbPath,
    clock,
    renderer: makeRenderer((carrier) => zones.get(carrier) ?? fallback),
  });
}

export async function startGateway(
  config: GatewayConfig,
  logger = createLogger(config.logLevel),
  ingest?: IngestConfig,
): Promise<RunningGateway> {
  const clock = systemClock;
  const store = openStore(config, clock);
  const guard = new MemoryReplayGuard({ clock, maxEntries: config.replayMaxEntries });
  const app = buildApp({ config, store, guard, clock, logger, ...(ingest ? { ingest } : {}) });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
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
