/**
 * @module
 * Builds the gateway's Fastify instance from its parts. Nothing here reads the environment or
 * opens a database: the caller injects them, so tests run the real app in-process.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { cellKeysOf } from '../carrier/carrier.js';
import type { CarrierSource } from '../carrier/carrier-source.js';
import type { Clock } from '../clock/clock.js';
import type { GatewayConfig } from '../config.js';
import { createQueryAnswerer } from '../gateway/answer-query.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import type { Store } from '../store/store.js';
import { InlineIngestor } from '../ingest/push/inline-ingestor.js';
import type { PushIngestor } from '../ingest/push/push-ingestor.js';
import { registerHealthRoutes } from './health-route.js';
import type { Logger } from './logging.js';
import { registerTrackRoute } from './track-route.js';
import { registerV1Api } from './v1/api-plugin.js';
import { defaultEventCodes, type EventCodeMapping } from '../tracking/event-codes.js';
import { INGEST_DEFAULTS } from '../config.js';

export interface AppDeps {
  readonly config: Pick<
    GatewayConfig,
    'trackPath' | 'windowSeconds' | 'callbacks' | 'carriers' | 'accessLog'
  >;
  readonly store: Store;
  readonly guard: ReplayGuard;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the query path reads its carriers, when a reload may swap them; else `config.carriers`. */
  readonly carrierSource?: CarrierSource;
  /** The `/v1` push and waybill API's settings; defaults when left out. */
  readonly ingest?: { readonly bodyLimitBytes: number; readonly eventCodes: EventCodeMapping };
  /** Where pushes are stored; on this thread through `store` when left out. */
  readonly ingestor?: PushIngestor;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, store, guard, clock, logger } = deps;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's own request lines carry the URL, and the URL carries the signature and nonce.
    logController: new LogController({ disableRequestLogging: true }),
    // No per-request child logger: building one (with pino's redaction) costs more than the rest
    // of a cached query. Our log lines carry the request id themselves.
    childLoggerFactory: (parent) => parent,
    // Slow-loris bound: a request must arrive whole within this time.
    requestTimeout: 10_000,
    return503OnClosing: true,
  });
  // Graceful shutdown: once close begins, idle keep-alive sockets are closed by Fastify, and each
  // request still in flight is answered with `Connection: close`, so no client keeps a socket
  // (and the process) open until its keep-alive timeout.
  const draining = { value: false };
  app.addHook('preClose', (done) => {
    draining.value = true;
    done();
  });
  registerTrackRoute(app, {
    draining,
    path: config.trackPath,
    logger,
    accessLog: config.accessLog,
    answer: createQueryAnswerer({
      carriers: deps.carrierSource ?? config.carriers,
      callbacks: config.callbacks,
      windowSeconds: config.windowSeconds,
      store,
      guard,
      clock,
    }),
  });
  registerHealthRoutes(app, store, draining);
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
    timeZoneOf: (carrier) => carrierOf(carrier)?.timezone ?? 'Asia/Shanghai',
    cellKeysOf: (carrier) => {
      const c = carrierOf(carrier);
      return c === undefined ? undefined : cellKeysOf(c);
    },
  });
  return app;
}
