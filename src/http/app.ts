/**
 * @module
 * Builds the gateway's Fastify instance from its parts. Nothing here reads the environment or
 * opens a database: the caller injects them, so tests run the real app in-process.
 */
import { createServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { createAddressBudget } from './address-budget.js';
import { createClientAddressOf } from './client-address.js';
import type { BudgetStore } from '../rate-limit/budget-store.js';
import { limitConnections } from './connection-limit.js';
import { answerHalfClosed, deferContinue } from './early-reply.js';
import { refusalSampler, REFUSAL_SAMPLING, type RefusalSampling } from './refusal-log.js';
import { clientErrorHandler, frameworkErrors, registerSafeReplies } from './safe-replies.js';
import { createTrackFastPath } from './track-fast-path.js';
import { createTrackHandler } from './track-handler.js';
import { cellKeysOf } from '../carrier/carrier.js';
import type { CarrierSource } from '../carrier/carrier-source.js';
import type { Clock } from '../clock/clock.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { createQueryAnswerer } from '../gateway/answer-query.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import type { Store } from '../store/store.js';
import { RenderOnRead, renderOptionsFrom } from '../reply/render-on-read.js';
import { MaskedReplies } from '../privacy/masked-replies.js';
import { privacyRulesFrom, storeTiers } from '../privacy/store-tiers.js';
import type { ReplySource } from '../reply/reply-source.js';
import { InlineIngestor } from '../ingest/push/inline-ingestor.js';
import type { PushIngestor } from '../ingest/push/push-ingestor.js';
import { registerHealthRoutes } from './health-route.js';
import type { Logger } from './logging.js';
import { registerTrackRoute } from './track-route.js';
import { registerV1Api } from './v1/api-plugin.js';
import { ownerBindingsOf } from './v1/owners-route.js';
import { defaultEventCodes, type EventCodeMapping } from '../tracking/event-codes.js';
import { INGEST_DEFAULTS } from '../config/settings.js';
import { limitsOf } from '../config/gateway-config.js';

export interface AppDeps {
  readonly config: Pick<
    GatewayConfig,
    'trackPath' | 'windowSeconds' | 'callbacks' | 'carriers' | 'accessLog' | 'limits' | 'ownerKey'
  >;
  /** The store's roles: the /v1 API writes and reads through it, readiness pings it. */
  readonly store: Store;
  /** What the query path reads; render on read from `store` when left out (no view). */
  readonly replies?: ReplySource;
  /** Renders a waybill state for the waybill API; from the carriers when left out. */
  readonly render?: RenderOnRead;
  /**
   * The one after-write hook, run before a push or a waybill-API write is answered (the reply
   * view catches up); none when left out.
   */
  readonly afterWrite?: () => Promise<void>;
  readonly guard: ReplayGuard;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the query path reads its carriers, when a reload may swap them; else `config.carriers`. */
  readonly carrierSource?: CarrierSource;
  /** The `/v1` push and waybill API's settings; defaults when left out. */
  readonly ingest?: { readonly bodyLimitBytes: number; readonly eventCodes: EventCodeMapping };
  /** Where queries, ingestion and store errors are counted; none when left out. */
  readonly metrics?: GatewayMetrics;
  /** How refusals are sampled into the log; REFUSAL_SAMPLING when left out. */
  readonly refusalSampling?: RefusalSampling;
  /** Where pushes are stored; on this thread through `store` when left out. */
  readonly ingestor?: PushIngestor;
  /** Where the per-client budget is counted (Redis, shared); this process's memory when left out. */
  readonly budgetStore?: BudgetStore;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, store, guard, clock, logger, metrics } = deps;
  const render =
    deps.render ??
    new RenderOnRead(store, renderOptionsFrom(deps.carrierSource ?? { current: () => config.carriers }));
  // Without a source handed in, the store's replies by tier, without a view (tests, embedding).
  const carriersNow = () => (deps.carrierSource ?? { current: () => config.carriers }).current();
  const replies =
    deps.replies ??
    storeTiers({
      masked: new MaskedReplies(
        store,
        store,
        renderOptionsFrom({ current: carriersNow }),
        privacyRulesFrom(carriersNow),
      ),
      full: render,
      rulesOf: privacyRulesFrom(carriersNow),
      ownerKey: config.ownerKey,
    });
  const afterWrite = deps.afterWrite ?? (() => Promise.resolve());
  const limits = limitsOf(config);
  const draining = { value: false };
  const handle = createTrackHandler({
    logger,
    accessLog: config.accessLog,
    callback: config.callbacks[0] ?? 'WxOrderCb',
    sampleRefusal: refusalSampler(clock, deps.refusalSampling ?? REFUSAL_SAMPLING),
    ...(limits.rateLimitPerMinute > 0
      ? {
          budget: createAddressBudget(limits.rateLimitPerMinute, clock, {
            ...(deps.budgetStore ? { store: deps.budgetStore } : {}),
            onStoreError: budgetErrorLog(logger),
          }),
        }
      : {}),
    answer: createQueryAnswerer({
      carriers: deps.carrierSource ?? config.carriers,
      callbacks: config.callbacks,
      windowSeconds: config.windowSeconds,
      replies,
      guard,
      clock,
    }),
    ...(metrics === undefined
      ? {}
      : {
          observe: (answer, s) => {
            metrics.query(answer.outcome.code, answer.carrier, s);
            if (answer.error !== undefined) metrics.storeError('query');
          },
        }),
  });
  const addressOf = createClientAddressOf(limits.trustedProxies ?? []);
  const fastTrack = createTrackFastPath({ path: config.trackPath, handle, logger, draining, addressOf });
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's own request lines carry the URL, and the URL carries the signature and nonce.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: building one (with pino's redaction) costs more than the rest
    // of a cached query. Our log lines carry the request id themselves.
    childLoggerFactory: (parent) => parent,
    // Slow-loris bounds. A request must arrive whole within requestTimeout (its head too); Node
    // checks that every connectionsCheckingInterval, 30 s unless told. A silent socket is closed
    // after the idle timeout, an idle keep-alive one sooner.
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: Math.min(5_000, limits.idleTimeoutMs),
    http: {
      headersTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, limits.requestTimeoutMs),
    },
    return503OnClosing: true,
    // Replies no route writes: fixed bodies, safe headers, no echo (see safe-replies.ts).
    clientErrorHandler,
    frameworkErrors,
    // The query route is answered before Fastify's router (track-fast-path.ts); the server is
    // built and timed exactly as Fastify builds its own (fastify/lib/server.js).
    serverFactory: (handler, serverOptions) => {
      const options = serverOptions as {
        http?: ServerOptions;
        keepAliveTimeout: number;
        requestTimeout: number;
        connectionTimeout: number;
      };
      const server = createServer(options.http ?? {}, (req: IncomingMessage, res: ServerResponse) => {
        if (!fastTrack(req, res)) handler(req, res);
      });
      server.keepAliveTimeout = options.keepAliveTimeout;
      server.requestTimeout = options.requestTimeout;
      server.setTimeout(options.connectionTimeout);
      return server;
    },
  });
  const connections = limitConnections(app.server, limits.maxConnections);
  metrics?.watchConnections(connections);
  deferContinue(app.server);
  answerHalfClosed(app.server);
  registerSafeReplies(app, logger);
  // Graceful shutdown: once close begins, idle keep-alive sockets are closed by Fastify, and each
  // request still in flight is answered with `Connection: close`, so no client keeps a socket
  // (and the process) open until its keep-alive timeout.
  app.addHook('preClose', (done) => {
    draining.value = true;
    done();
  });
  registerTrackRoute(app, { path: config.trackPath, handle, draining, addressOf });
  registerHealthRoutes(app, store, draining, () => metrics?.storeError('ready'));
  // The /v1 API reads the carriers in force per request, like the query path, so a reload applies.
  const carrierOf = (id: string) => {
    const carriers = deps.carrierSource?.current() ?? config.carriers;
    return carriers.find((c) => c.id === id) ?? carriers[0];
  };
  registerV1Api(app, {
    store,
    render,
    afterWrite,
    ingestor: deps.ingestor ?? new InlineIngestor(store, afterWrite),
    clock,
    logger,
    bodyLimitBytes: deps.ingest?.bodyLimitBytes ?? INGEST_DEFAULTS.bodyLimitBytes,
    eventCodes: deps.ingest?.eventCodes ?? defaultEventCodes(),
    // A carrier's own entries in the configuration file win over the global values.
    bodyLimitOf: (carrier) =>
      carrierOf(carrier)?.ingest?.bodyLimitBytes ??
      deps.ingest?.bodyLimitBytes ??
      INGEST_DEFAULTS.bodyLimitBytes,
    eventCodesOf: (carrier) =>
      carrierOf(carrier)?.ingest?.eventCodes ?? deps.ingest?.eventCodes ?? defaultEventCodes(),
    ...(metrics === undefined ? {} : { metrics }),
    timeZoneOf: (carrier) => carrierOf(carrier)?.timezone ?? 'Asia/Shanghai',
    cellKeysOf: (carrier) => {
      const c = carrierOf(carrier);
      return c === undefined ? undefined : cellKeysOf(c);
    },
    cellLinksOf: (carrier) => {
      const cells = carrierOf(carrier)?.cells;
      return cells === undefined ? undefined : new Map(cells.map((c) => [c.key, c.link]));
    },
    waybillRuleOf: (carrier) => {
      // Exactly this carrier: a key for one the configuration does not serve writes nothing.
      const c = (deps.carrierSource?.current() ?? config.carriers).find((k) => k.id === carrier);
      return c === undefined ? undefined : { pattern: c.waybillPattern, matcher: c.waybillMatcher };
    },
    owners: ownerBindingsOf(store),
    ownerKey: config.ownerKey,
    pulls: (carrier) =>
      (deps.carrierSource?.current() ?? config.carriers).find((c) => c.id === carrier)?.upstream !==
      undefined,
  });
  return app;
}

/** A shared budget that cannot count is logged once a minute at most, with the count passed over. */
function budgetErrorLog(logger: Logger): (err: unknown) => void {
  let last = -Infinity;
  let passed = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < 60_000) {
      passed++;
      return;
    }
    logger.error({ err, passed }, 'rate limit: shared budget unavailable; counting in this process');
    last = now;
    passed = 0;
  };
}
