/**
 * @module
 * Builds the gateway's Fastify instance from its parts. Nothing here reads the environment or
 * opens a database: the caller injects them, so tests run the real app in-process.
 */
import { createServer, type IncomingMessage, type ServerOptions, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { GatewayMetrics } from '../metrics/metrics.js';
import { createAddressBudget } from './address-budget.js';
import { limitConnections } from './connection-limit.js';
import { deferContinue } from './early-reply.js';
import { refusalSampler, REFUSAL_SAMPLING, type RefusalSampling } from './refusal-log.js';
import { clientErrorHandler, frameworkErrors, registerSafeReplies } from './safe-replies.js';
import { createTrackFastPath } from './track-fast-path.js';
import { createTrackHandler } from './track-handler.js';
import { cellKeysOf } from '../carrier/carrier.js';
import type { CarrierSource } from '../carrier/carrier-source.js';
import type { Clock } from '../clock/clock.js';
import type { GatewayConfig } from '../config.js';
import { createQueryAnswerer } from '../gateway/answer-query.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import type { Store } from '../store/store.js';
import { ViewedStore } from '../store/viewed-store.js';
import type { ReplySource } from '../reply/reply-source.js';
import { InlineIngestor } from '../ingest/push/inline-ingestor.js';
import type { PushIngestor } from '../ingest/push/push-ingestor.js';
import { registerHealthRoutes } from './health-route.js';
import type { Logger } from './logging.js';
import { registerTrackRoute } from './track-route.js';
import { registerV1Api } from './v1/api-plugin.js';
import { defaultEventCodes, type EventCodeMapping } from '../tracking/event-codes.js';
import { INGEST_DEFAULTS, limitsOf } from '../config.js';

export interface AppDeps {
  readonly config: Pick<
    GatewayConfig,
    'trackPath' | 'windowSeconds' | 'callbacks' | 'carriers' | 'accessLog' | 'limits'
  >;
  readonly store: Store;
  /**
   * Where the query path reads replies. Left out: the store's reply view, read synchronously on a
   * hit, when the store is a ViewedStore; else the store's own getReply.
   */
  readonly replies?: ReplySource;
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
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, store, guard, clock, logger, metrics } = deps;
  const limits = limitsOf(config);
  const draining = { value: false };
  const handle = createTrackHandler({
    logger,
    accessLog: config.accessLog,
    callback: config.callbacks[0] ?? 'WxOrderCb',
    sampleRefusal: refusalSampler(clock, deps.refusalSampling ?? REFUSAL_SAMPLING),
    ...(limits.rateLimitPerMinute > 0
      ? { budget: createAddressBudget(limits.rateLimitPerMinute, clock) }
      : {}),
    answer: createQueryAnswerer({
      carriers: deps.carrierSource ?? config.carriers,
      callbacks: config.callbacks,
      windowSeconds: config.windowSeconds,
      replies:
        deps.replies ??
        (store instanceof ViewedStore
          ? { getReply: (carrier, waybill) => store.readReply(carrier, waybill) }
          : { getReply: (carrier, waybill) => store.getReply(carrier, waybill) }),
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
  const fastTrack = createTrackFastPath({ path: config.trackPath, handle, logger, draining });
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
  registerSafeReplies(app, logger);
  // Graceful shutdown: once close begins, idle keep-alive sockets are closed by Fastify, and each
  // request still in flight is answered with `Connection: close`, so no client keeps a socket
  // (and the process) open until its keep-alive timeout.
  app.addHook('preClose', (done) => {
    draining.value = true;
    done();
  });
  registerTrackRoute(app, { path: config.trackPath, handle, draining });
  registerHealthRoutes(app, store, draining, () => metrics?.storeError('ready'));
  // The /v1 API reads the carriers in force per request, like the query path, so a reload applies.
  const carrierOf = (id: string) => {
    const carriers = deps.carrierSource?.current() ?? config.carriers;
    return carriers.find((c) => c.id === id) ?? carriers[0];
  };
  registerV1Api(app, {
    store,
    ingestor: deps.ingestor ?? new InlineIngestor(store),
    clock,
    logger,
    bodyLimitBytes: deps.ingest?.bodyLimitBytes ?? INGEST_DEFAULTS.bodyLimitBytes,
    eventCodes: deps.ingest?.eventCodes ?? defaultEventCodes(),
    ...(metrics === undefined ? {} : { metrics }),
    timeZoneOf: (carrier) => carrierOf(carrier)?.timezone ?? 'Asia/Shanghai',
    cellKeysOf: (carrier) => {
      const c = carrierOf(carrier);
      return c === undefined ? undefined : cellKeysOf(c);
    },
    waybillRuleOf: (carrier) => {
      // Exactly this carrier: a key for one the configuration does not serve writes nothing.
      const c = (deps.carrierSource?.current() ?? config.carriers).find((k) => k.id === carrier);
      return c === undefined ? undefined : { pattern: c.waybillPattern, matcher: c.waybillMatcher };
    },
  });
  return app;
}
