/**
 * @module
 * Wiring a running gateway: store, replay guard, logger and HTTP app, opened in order and
 * closed in reverse. `serve` and `demo` share it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_TRACE_OPTIONS } from '../carrier/carrier.js';
import { SwappableCarriers, type CarrierSource } from '../carrier/carrier-source.js';
import { systemClock, type Clock } from '../clock/clock.js';
import type { GatewayConfig, IngestConfig } from '../config.js';
import { startRetention, systemTimer } from '../retention/retention.js';
import { MemoryReplayGuard } from '../guard/memory/memory-guard.js';
import { buildApp } from '../http/app.js';
import { createLogger, type Logger } from '../http/logging.js';
import { makeCarrierRenderer } from '../store/renderer.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { ViewedStore } from '../store/viewed-store.js';
import { LmdbReplyView } from '../view/lmdb/lmdb-view.js';
import { MemoryReplyView } from '../view/memory/memory-view.js';
import type { ReplyView } from '../view/reply-view.js';

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

/** Where the reply view of a store lives, and the name that ties the view to that store. */
export function replyViewOf(
  config: Pick<GatewayConfig, 'dbPath' | 'view'>,
  injectedStore: boolean,
): { view: ReplyView; source: string; path?: string } | undefined {
  if (config.view === 'off') return undefined;
  const db = config.dbPath;
  const isUrl = /^[a-z][a-z0-9+.-]*:\/\//i.test(db);
  // The name never carries a password: user info is dropped from a URL.
  const source = isUrl ? 'url:' + db.replace(/\/\/[^@/]*@/, '//') : 'file:' + resolve(db);
  // A store handed in (tests, embedding) is not known to match any file: a private view.
  if (config.view === undefined && (injectedStore || db === ':memory:')) {
    return { view: new MemoryReplyView(), source: 'memory' };
  }
  const path =
    config.view ??
    (isUrl
      ? `./data/wxtrack-view-${createHash('sha256').update(source).digest('hex').slice(0, 12)}.mdb`
      : db + '-view.mdb');
  mkdirSync(dirname(path), { recursive: true });
  return { view: new LmdbReplyView({ path }), source, path };
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
  const viewOf = replyViewOf(config, parts.store !== undefined);
  let viewFailing = false;
  const viewed =
    viewOf &&
    new ViewedStore({
      store: opened,
      view: viewOf.view,
      source: viewOf.source,
      clock,
      // Logged when the view stops being trusted, not on every failed poll.
      onError: (err, during) => {
        if (viewFailing) return;
        viewFailing = true;
        logger.error({ err, during }, 'reply view: falling back to the store');
      },
    });
  if (viewed) {
    try {
      await viewed.start();
    } catch (err) {
      // Not fatal: queries read the store until a catch-up succeeds.
      logger.error({ err }, 'reply view: could not catch up at start; reading the store');
    }
  }
  const store: Store = viewed ?? opened;
  const guard = new MemoryReplayGuard({ clock, maxEntries: config.replayMaxEntries });
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
    await store.close();
    throw err;
  }
  let recover: NodeJS.Timeout | undefined;
  if (viewed) {
    const started = Date.now();
    recover = setInterval(() => {
      if (viewFailing && viewed.trusted()) {
        viewFailing = false;
        logger.info('reply view: caught up again');
      }
    }, 1000);
    recover.unref();
    // Warm start: fill a view file with every reply it lacks, between queries. It outlives the
    // process, so this is paid once per store, not per start. (A private in-memory view fills as
    // queries miss.)
    if (viewOf?.path !== undefined)
      void viewed
        .warm(carriers.current().map((c) => c.id))
        .then((added) =>
          logger.info(
            { view: viewOf?.path ?? 'memory', added, ms: Date.now() - started, ...viewed.stats() },
            'reply view warm',
          ),
        )
        .catch((err: unknown) => logger.error({ err }, 'reply view: warm-up failed'));
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
        clearInterval(recover);
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
