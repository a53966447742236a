/**
 * @module
 * The courier-facing API under `/v1`: push (`POST /v1/events`) and the waybill API. Encapsulated
 * in its own Fastify plugin, so its Bearer-key check, body parsers and JSON error replies never
 * touch WeChat's JSONP route.
 *
 * Authentication runs in `onRequest`, before any body is read: an unauthenticated sender cannot
 * make us buffer 10 MiB.
 */
import { Transform, type TransformCallback } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors, apiErrorBody, type ApiErrorEntry } from '../../api/api-errors.js';
import { authenticate } from '../../api/api-keys.js';
import type { Clock } from '../../clock/clock.js';
import type { PushFormat } from '../../ingest/push/push-body.js';
import type { PushIngestor } from '../../ingest/push/push-ingestor.js';
import type { RenderOnRead } from '../../reply/render-on-read.js';
import type { ApiKeyStore, Eraser, EventLog, WaybillReader } from '../../store/roles.js';
import type { ApiKeyRecord } from '../../store/store.js';
import type { EventCodeMapping } from '../../tracking/event-codes.js';
import type { WaybillRule } from '../../tracking/event.js';
import type { GatewayMetrics } from '../../metrics/metrics.js';
import { closeAfterEarlyReply, continueIfExpected } from '../early-reply.js';
import type { Logger } from '../logging.js';
import { registerEventsRoute } from './events-route.js';
import type { OwnerDeps } from './owners-route.js';
import { registerWaybillRoutes } from './waybills-route.js';

export interface V1Deps extends OwnerDeps {
  readonly store: Pick<EventLog, 'setAttributes'> &
    Pick<WaybillReader, 'readWaybill'> &
    Pick<Eraser, 'deleteWaybill'> &
    Pick<ApiKeyStore, 'findApiKey'>;
  /** Renders the reply the waybill API shows beside the events. */
  readonly render: Pick<RenderOnRead, 'render'>;
  /** The after-write hook: run before a waybill-API write is answered (the reply view catches up). */
  readonly afterWrite: () => Promise<void>;
  /** Where `POST /v1/events` hands its pushes (it runs the after-write hook itself). */
  readonly ingestor: PushIngestor;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Largest `POST /v1/events` body, bytes: the global value. */
  readonly bodyLimitBytes: number;
  readonly eventCodes: EventCodeMapping;
  /**
   * A carrier's own body limit and scan codes (its entries in the configuration file), else the
   * global ones; the global ones when left out.
   */
  readonly bodyLimitOf?: (carrier: string) => number;
  readonly eventCodesOf?: (carrier: string) => EventCodeMapping;
  /** The zone of a carrier's event times and replies. */
  readonly timeZoneOf: (carrier: string) => string;
  /** A carrier's registered cell keys, when it registered any: events and attributes use no other. */
  readonly cellKeysOf: (carrier: string) => ReadonlySet<string> | undefined;
  /** A carrier's registered links by cell key: a pushed `status` that repeats one is warned about. */
  readonly cellLinksOf?: (carrier: string) => ReadonlyMap<string, string> | undefined;
  /**
   * A carrier's waybill pattern, or `undefined` when the configuration does not serve that
   * carrier at all (its key is then refused: WeChat could never be shown what it writes).
   */
  readonly waybillRuleOf: (carrier: string) => WaybillRule | undefined;
  /** Counts pushed events and store failures; none when left out. */
  readonly metrics?: Pick<GatewayMetrics, 'ingested' | 'storeError'>;
}

const keys = new WeakMap<FastifyRequest, ApiKeyRecord>();

/** The authenticated key of a request inside the plugin (set by the `onRequest` hook). */
export function apiKeyOf(request: FastifyRequest): ApiKeyRecord {
  const key = keys.get(request);
  if (!key) throw new Error('route reached without authentication');
  return key;
}

/** Sends a catalog error, with no-store like every API reply. */
export function sendApiError(reply: FastifyReply, entry: ApiErrorEntry, detail?: string): FastifyReply {
  return reply.code(entry.statusCode).header('cache-control', 'no-store').send(apiErrorBody(entry, detail));
}

/** `10 MiB`, `512 KiB`, `1000 bytes`: the limit as an operator configured it. */
const human = (bytes: number): string =>
  bytes % (1024 * 1024) === 0
    ? `${bytes / 1024 / 1024} MiB`
    : bytes % 1024 === 0
      ? `${bytes / 1024} KiB`
      : `${bytes} bytes`;

/** Route config of the push route: its body limit is the sending carrier's. */
export const CARRIER_BODY_LIMIT = Object.freeze({ carrierBodyLimit: true });

/** The body limit of a request: the sending carrier's on the push route, else the route's. */
function limitOf(request: FastifyRequest, deps: V1Deps): number {
  const key = keys.get(request);
  const config = request.routeOptions.config as { carrierBodyLimit?: boolean } | undefined;
  if (config?.carrierBodyLimit === true && key !== undefined) {
    return deps.bodyLimitOf?.(key.carrier) ?? deps.bodyLimitBytes;
  }
  return request.routeOptions.bodyLimit ?? deps.bodyLimitBytes;
}

/** The 413 a body over its carrier's limit ends with, as Fastify's own parser raises it. */
class CarrierBodyTooLarge extends Error {
  readonly statusCode = 413;
  readonly code = 'FST_ERR_CTP_BODY_TOO_LARGE';
}

/**
 * Counts a body as it arrives and fails it past `limit`: the push route's Fastify limit is the
 * largest any carrier may have, and a body without Content-Length (chunked) is held to its
 * sender's own limit here, without being buffered past it.
 */
function limitedBody(limit: number): Transform & { receivedEncodedLength: number } {
  const stream = new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      counted.receivedEncodedLength += chunk.length;
      if (counted.receivedEncodedLength > limit) done(new CarrierBodyTooLarge('body too large'));
      else done(null, chunk);
    },
  });
  const counted = Object.assign(stream, { receivedEncodedLength: 0 });
  return counted;
}

export function registerV1Api(app: FastifyInstance, deps: V1Deps): void {
  app.register(
    async (api) => {
      // Every API reply, errors included: never cached by a proxy, never sniffed as a page.
      api.addHook('onSend', async (request, reply) => {
        reply.header('cache-control', 'no-store').header('x-content-type-options', 'nosniff');
        // A refusal sent before the body arrived must still reach a client that is sending it.
        closeAfterEarlyReply(request.raw, reply.raw);
      });

      api.addHook('onRequest', async (request, reply) => {
        const key = await authenticate(deps.store, request.headers.authorization);
        if (!key) {
          reply.header('www-authenticate', 'Bearer realm="wxtrack"');
          return sendApiError(reply, ApiErrors.UNAUTHORIZED);
        }
        if (deps.waybillRuleOf(key.carrier) === undefined) {
          return sendApiError(reply, ApiErrors.CARRIER_NOT_SERVED);
        }
        keys.set(request, key);
      });

      // Refuse an announced oversized body before reading it, and before promising
      // "100 Continue": the client learns the limit without sending 10 MiB first.
      api.addHook('preParsing', async (request, reply, payload) => {
        const limit = limitOf(request, deps);
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > limit) {
          void sendApiError(
            reply,
            ApiErrors.BODY_TOO_LARGE,
            `at most ${limit} bytes (${human(limit)}); split the batch`,
          );
          return payload;
        }
        continueIfExpected(request.raw, reply.raw);
        const config = request.routeOptions.config as { carrierBodyLimit?: boolean } | undefined;
        if (config?.carrierBodyLimit !== true) return payload;
        // pipe, not pipeline: a refused body must not destroy the socket the 413 goes out on
        // (closeAfterEarlyReply drains it); an aborted request still fails the body.
        const limited = limitedBody(limit);
        payload.on('error', (err) => limited.destroy(err));
        return payload.pipe(limited);
      });

      // Only JSON and NDJSON: Fastify's built-in text/plain parser would take any text as NDJSON.
      api.removeContentTypeParser('text/plain');

      api.setErrorHandler((err: FastifyError, request, reply) => {
        if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || err.statusCode === 413) {
          const limit = limitOf(request, deps);
          return sendApiError(
            reply,
            ApiErrors.BODY_TOO_LARGE,
            `at most ${limit} bytes (${human(limit)}); split the batch`,
          );
        }
        if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
          return sendApiError(reply, ApiErrors.UNSUPPORTED_MEDIA_TYPE);
        if (err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
          return sendApiError(reply, ApiErrors.BAD_JSON);
        }
        if (err instanceof SyntaxError) return sendApiError(reply, ApiErrors.BAD_JSON);
        if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
          return sendApiError(reply, ApiErrors.BAD_REQUEST);
        }
        deps.logger.error({ reqId: request.id, err }, 'v1 API request failed');
        deps.metrics?.storeError('ingest');
        return sendApiError(reply, ApiErrors.INTERNAL);
      });

      // The push route gets its body as bytes, JSON included: decoding a 10 MiB body is the push
      // ingestor's job, off the serving thread.
      await api.register(async (events) => {
        events.removeAllContentTypeParsers();
        const raw =
          (format: PushFormat) =>
          (_request: FastifyRequest, bytes: Buffer, done: (err: Error | null, body?: unknown) => void) =>
            done(null, { format, bytes });
        events.addContentTypeParser('application/json', { parseAs: 'buffer' }, raw('json'));
        events.addContentTypeParser('application/x-ndjson', { parseAs: 'buffer' }, raw('ndjson'));
        registerEventsRoute(events, deps);
      });
      registerWaybillRoutes(api, deps);
    },
    { prefix: '/v1' },
  );
}
