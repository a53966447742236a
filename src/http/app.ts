/**
 * @module
 * Builds the gateway's Fastify instance from its parts. Nothing here reads the environment or
 * opens a database: the caller injects them, so tests run the real app in-process.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Clock } from '../clock/clock.js';
import type { GatewayConfig } from '../config.js';
import { createQueryAnswerer } from '../gateway/answer-query.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import type { Store } from '../store/store.js';
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
  /** The `/v1` push and waybill API's settings; defaults when left out. */
  readonly ingest?: { readonly bodyLimitBytes: number; readonly eventCodes: EventCodeMapping };
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config, store, guard, clock, logger } = deps;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // Fastify's own request lines carry the URL, and the URL carries the signature and nonce.
    logController: new LogController({ disableRequestLogging: true }),
    // Slow-loris bound: a request must arrive whole within this time.
    requestTimeout: 10_000,
    return503OnClosing: true,
  });
  registerTrackRoute(app, {
    path: config.trackPath,
    logger,
    accessLog: config.accessLog,
    answer: createQueryAnswerer({
      carriers: config.carriers,
      callbacks: config.callbacks,
      windowSeconds: config.windowSeconds,
      store,
      guard,
      clock,
    }),
  });
  registerHealthRoutes(app, store);
  const zones = new Map(config.carriers.map((c) => [c.id, c.timezone]));
  const fallbackZone = config.carriers[0]?.timezone ?? 'Asia/Shanghai';
  registerV1Api(app, {
    store,
    clock,
    logger,
    bodyLimitBytes: deps.ingest?.bodyLimitBytes ?? INGEST_DEFAULTS.bodyLimitBytes,
    eventCodes: deps.ingest?.eventCodes ?? defaultEventCodes(),
    timeZoneOf: (carrier) => zones.get(carrier) ?? fallbackZone,
  });
  return app;
}
