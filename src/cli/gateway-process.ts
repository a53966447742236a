/**
 * @module
 * Wiring a running gateway: store, replay guard (both through the backend seam), logger and HTTP
 * app, opened in order and closed in reverse. `serve` and `demo` share it.
 */
import cluster from 'node:cluster';
import type { FastifyInstance } from 'fastify';
import { openGuard, openReplies, openStore, renderOptionsFrom } from '../backends/open-backends.js';
import { privacyRulesFrom } from '../privacy/store-tiers.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import { SwappableCarriers } from '../carrier/carrier-source.js';
import { systemClock } from '../clock/clock.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import type { IngestConfig } from '../config/ingest-config.js';
import {
  logRetention,
  ownRetentionDays,
  retentionWanted,
  startRetention,
  systemTimer,
} from '../retention/retention.js';
import { buildApp } from '../http/app.js';
import { createLogger, type Logger } from '../http/logging.js';
import type { GatewayMetrics } from '../metrics/metrics.js';
import type { MetricsServer } from '../metrics/metrics-server.js';
import { WorkerIngestor } from '../ingest/push/worker/worker-ingestor.js';
import type { Store } from '../store/store.js';
import type { BudgetStore } from '../rate-limit/budget-store.js';
import type { ReplySource } from '../reply/reply-source.js';
import { openPullCarriers } from '../pull/pull-carriers.js';
import { FollowedOwners } from '../privacy/followed-owners.js';
import { registerPullMetrics } from '../pull/pull-prometheus.js';

export interface RunningGateway {
  readonly app: FastifyInstance;
  readonly store: Store;
  /** What the query path reads: the reply view in front of render on read, or render on read alone. */
  readonly replies: ReplySource;
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

export interface GatewayParts {
  readonly logger?: Logger;
  /** A store to use instead of opening `config.store`; it is closed with the gateway. */
  readonly store?: Store;
  /** The /v1 API's settings and the retention schedule; defaults when left out. */
  readonly ingest?: IngestConfig;
  /** false: another process runs the retention schedule (a worker under --workers); default true. */
  readonly retention?: boolean;
  /** Create the database when `config.dbPath` does not exist (`--create`, the demo); default: refuse. */
  readonly createDb?: boolean;
}

export async function startGateway(config: GatewayConfig, parts: GatewayParts = {}): Promise<RunningGateway> {
  const ingest = parts.ingest;
  const clock = systemClock;
  const logger = parts.logger ?? createLogger(config.logLevel);
  const carriers = new SwappableCarriers(config.carriers);
  const onBackendError = throttledLog(logger, 'backend connection error; retrying', 10_000);
  const store =
    parts.store ??
    (await openStore(config.store, {
      clock,
      onBackendError,
      create: parts.createDb ?? false,
    }));
  let viewFailing = false;
  const opened = await openReplies(config, store, {
    clock,
    renderOptionsOf: renderOptionsFrom(carriers),
    privacyOf: privacyRulesFrom(() => carriers.current()),
    ownerKey: config.ownerKey,
    injectedStore: parts.store !== undefined,
    onViewDamaged: (d) =>
      logger.error(
        { file: d.path, movedTo: d.movedTo, reason: d.reason },
        'reply view: the file was damaged or is not a view; moved aside, starting a new view',
      ),
    // Logged when the view stops being trusted, not on every failed poll.
    onError: (err, during) => {
      if (viewFailing) return;
      viewFailing = true;
      logger.error({ err, during }, 'reply view: rendering on read until it catches up');
    },
    // A new view file starts with a reset; any other reset means the database is not the one
    // the view was derived from (restored, rolled back, replaced) or the view fell too far behind.
    onReset: (from, to) => {
      if (from.store === '') return;
      logger.warn(
        { from: { seq: from.seq }, to: { seq: to.seq }, sameStore: from.store === to.store },
        'reply view reset: the store could not prove the position it reflected',
      );
    },
  });
  const viewed = opened.viewed;
  // Pull mode: carriers with an upstream are answered from it (src/pull/), in each reader's
  // privacy tier; owners bound through the waybill API are kept in the store and followed on the
  // node (privacy/followed-owners.ts). Without an owner key nobody can bind: all are strangers.
  const privacyOf = privacyRulesFrom(() => carriers.current());
  const pull = openPullCarriers(config.carriers, { clock, privacyOf });
  let ownersFailing = false;
  const pulledOwners =
    pull.byCarrier.size > 0 && config.ownerKey !== undefined
      ? new FollowedOwners({
          owners: store,
          feed: store,
          clock,
          maxEntries: [...pull.byCarrier.keys()].reduce(
            (n, id) => n + (config.carriers.find((c) => c.id === id)?.upstream?.cache.maxEntries ?? 0),
            0,
          ),
          onError: (err) => {
            if (ownersFailing) return;
            ownersFailing = true;
            logger.error({ err }, 'pull mode owners: reading them from the store until the feed catches up');
          },
        })
      : undefined;
  await pulledOwners?.start().catch(() => {});
  const ownersLookupFailed = throttledLog(
    logger,
    'pull mode owners: lookup failed; serving the masked reply',
    10_000,
  );
  const replies = pull.route(opened.replies, {
    ownerKey: config.ownerKey,
    owners: pulledOwners,
    onOwnersError: (err) => ownersLookupFailed(err instanceof Error ? err : new Error(String(err))),
  });
  const afterWrite = () =>
    Promise.all([opened.afterWrite(), pulledOwners?.catchUp().catch(() => {})]).then(() => {});
  let guard: ReplayGuard;
  try {
    guard = await openGuard(config.guard, {
      clock,
      onBackendError,
      windowSeconds: config.windowSeconds,
      onMemoryLoss: (since) =>
        logger.error(
          { since: new Date(since).toISOString() },
          'replay guard: Redis lost its memory (restarted without persistence, or flushed); ' +
            'signatures stamped before then are refused (40003) until they expire. Enable AOF persistence',
        ),
      // A full guard refuses (50001) rather than forget a live signature: the operator must see it
      // coming (80 %) and when it happens.
      onPressure: ({ kind, stats }) =>
        kind === 'full'
          ? logger.error(
              { ...stats },
              'replay guard at capacity: new signatures refused (50001); raise --replay-max-rate',
            )
          : logger.warn({ ...stats }, 'replay guard above 80 % of capacity'),
    });
  } catch (err) {
    await pulledOwners?.close();
    await opened.close();
    await store.close();
    throw err;
  }
  const metricsAt = config.limits?.metrics;
  // Loaded only when asked for: prom-client costs every start of every command otherwise.
  const metrics: GatewayMetrics | undefined =
    metricsAt === undefined
      ? undefined
      : (await import('../metrics/metrics.js')).createMetrics({
          ...(viewed ? { cache: { stats: () => ({ ...viewed.stats(), evictions: 0 }) } } : {}),
          ...(guard.stats ? { guard: { stats: () => guard.stats!() } } : {}),
        });
  if (metrics && pull.byCarrier.size > 0) pull.onLatency(registerPullMetrics(metrics.registry, pull.stats));
  // Pushes are stored by a worker thread with its own connection, so a big one never stalls a
  // query. A store handed in, or an in-memory database, has no file another thread could open:
  // pushes then go through it on this thread. The worker starts while the app does.
  const ingestor =
    parts.store === undefined && !(config.store.kind === 'sqlite' && config.store.path === ':memory:')
      ? WorkerIngestor.create({
          store: config.store,
          // The worker wrote through its own connection: the reply view catches up from the
          // change log before the push is answered, so the next query here sees it.
          onStored: afterWrite,
          onCrash: (err) => logger.error({ err }, 'push worker stopped; pushes in flight failed'),
        })
      : undefined;
  // With Redis, the per-client budget is one count per address for every worker and node.
  const budgetStore =
    config.guard.kind === 'redis' && (config.limits?.rateLimitPerMinute ?? 1) > 0
      ? await openBudgetStore(config.guard, onBackendError)
      : undefined;
  const app = buildApp({
    config,
    store,
    replies,
    render: opened.render,
    afterWrite,
    guard,
    clock,
    logger,
    carrierSource: carriers,
    ...(ingest ? { ingest } : {}),
    ...(metrics ? { metrics } : {}),
    ...(ingestor ? { ingestor } : {}),
    ...(budgetStore ? { budgetStore } : {}),
  });
  let metricsServer: MetricsServer | undefined;
  try {
    // Refuse to serve without a push worker: fail closed, before "listening" is announced.
    await Promise.all([app.listen({ host: config.host, port: config.port }), ingestor?.ready()]);
    if (metrics && metricsAt) {
      if (cluster.isWorker) {
        // Under --workers the primary listens and sums every worker (metrics/cluster-metrics.ts).
        const { answerMetricsRequests } = await import('../metrics/cluster-metrics.js');
        answerMetricsRequests(metrics.registry);
      } else {
        const { startMetricsServer } = await import('../metrics/metrics-server.js');
        metricsServer = await startMetricsServer(metrics.registry, metricsAt);
      }
    }
  } catch (err) {
    await app.close();
    await ingestor?.close();
    await budgetStore?.close();
    await guard.close();
    await pulledOwners?.close();
    await opened.close();
    await store.close();
    pull.close();
    throw err;
  }
  let recoverOwners: NodeJS.Timeout | undefined;
  if (pulledOwners) {
    recoverOwners = setInterval(() => {
      if (ownersFailing && pulledOwners.trusted()) {
        ownersFailing = false;
        logger.info('pull mode owners: caught up again');
      }
    }, 1000);
    recoverOwners.unref();
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
    if (opened.viewPath !== undefined)
      void viewed
        .warm(carriers.current().map((c) => c.id))
        .then((added) =>
          logger.info(
            { view: opened.viewPath, added, ms: Date.now() - started, ...viewed.stats() },
            'reply view warm',
          ),
        )
        .catch((err: unknown) => logger.error({ err }, 'reply view: warm-up failed'));
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  // The carriers in force at each run, so a reload that changes a carrier's retentionDays applies.
  const carrierDays = () => ownRetentionDays(carriers.current());
  const retention =
    ingest === undefined || parts.retention === false || !retentionWanted(ingest.retentionDays, carrierDays())
      ? undefined
      : startRetention({
          // A purge is a write through this process: the view catches up past it before the
          // purge is reported, like the push ingestors and the waybill API.
          store: {
            purgeOlderThan: (cutoff, scope) => store.purgeOlderThan(cutoff, scope).finally(afterWrite),
          },
          retentionDays: ingest.retentionDays,
          carrierDays,
          clock,
          timer: systemTimer,
          onRun: (o) => logRetention(logger, o),
        });
  let closing: Promise<void> | undefined;
  return {
    app,
    store,
    replies,
    logger,
    carriers,
    origin: `http://${host}:${port}`,
    ...(metricsServer ? { metricsOrigin: metricsServer.origin } : {}),
    close: () =>
      (closing ??= (async () => {
        retention?.stop();
        clearInterval(recover);
        clearInterval(recoverOwners);
        await metricsServer?.close();
        metrics?.stop();
        await app.close();
        await ingestor?.close();
        await budgetStore?.close();
        await guard.close();
        await pulledOwners?.close();
        await opened.close();
        await store.close();
        pull.close();
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

/** The shared budget's store, on a Redis connection of its own (loaded only with `--redis`). */
async function openBudgetStore(
  guard: { readonly url: string; readonly secret: string },
  onError: (err: Error) => void,
): Promise<BudgetStore> {
  const [{ createGuardRedis }, { RedisBudgetStore }] = await Promise.all([
    import('../guard/redis/redis-client.js'),
    import('../rate-limit/redis/redis-budget-store.js'),
  ]);
  return new RedisBudgetStore({
    client: createGuardRedis({ url: guard.url, onError }),
    secret: guard.secret,
  });
}
