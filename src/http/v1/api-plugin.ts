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
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { ApiErrors } from '../../api/api-errors.js';
import { authenticate } from '../../api/api-keys.js';
import type { PushFormat } from '../../ingest/push/push-body.js';
import { closeAfterEarlyReply, continueIfExpected } from '../early-reply.js';
import { authenticatedKeyOf, rememberApiKey, sendApiError, type V1Deps } from './api-context.js';
import { registerEventsRoute } from './events-route.js';
import { registerWaybillRoutes } from './waybills-route.js';

/** `10 MiB`, `512 KiB`, `1000 bytes`: the limit as an operator configured it. */
const human = (bytes: number): string =>
  bytes % (1024 * 1024) === 0
    ? `${bytes / 1024 / 1024} MiB`
    : bytes % 1024 === 0
      ? `${bytes / 1024} KiB`
      : `${bytes} bytes`;

/** The body limit of a request: the sending carrier's on the push route, else the route's. */
function limitOf(request: FastifyRequest, deps: V1Deps): number {
  const key = authenticatedKeyOf(request);
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
        rememberApiKey(request, key);
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
