/**
 * @module
 * `GET /wechat/track`: WeChat's JSONP query. A thin shell over gateway/answer-query.ts. On a
 * listening server, track-fast-path.ts answers this route before Fastify; this route serves
 * `app.inject`, HEAD, and requests that arrive while the server drains.
 */
import type { FastifyInstance } from 'fastify';
import type { QueryAnswerer } from '../gateway/answer-query.js';
import { acceptsGzip } from './accept-encoding.js';
import { PLAIN_ERROR_HEADERS, TRACK_GZIP_HEADERS, TRACK_HEADERS } from './headers.js';
import { hashOpenid, type Logger } from './logging.js';

export interface TrackRouteOptions {
  readonly path: string;
  readonly answer: QueryAnswerer;
  readonly logger: Logger;
  /** Log every query, not only failures. */
  readonly accessLog: boolean;
  /** Set once the server is shutting down. */
  readonly draining: { readonly value: boolean };
}

export function registerTrackRoute(app: FastifyInstance, options: TrackRouteOptions): void {
  const { answer, logger, accessLog, draining } = options;
  app.get(options.path, async (request, reply) => {
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    const result = await answer(
      q < 0 ? '' : url.slice(q + 1),
      acceptsGzip(request.headers['accept-encoding']),
    );
    if (result.outcome.code !== 0 || accessLog) {
      const fields = {
        reqId: request.id,
        code: result.outcome.code,
        carrier: result.carrier,
        orderid: result.orderid,
        user: result.openid === undefined ? undefined : hashOpenid(result.openid),
      };
      if (result.error !== undefined) logger.error({ ...fields, err: result.error }, 'track query failed');
      else if (result.outcome.code === 0) logger.info(fields, 'track query');
      else logger.warn(fields, 'track query refused');
    }
    // Only the callback refusal is not JSONP, and says so in its type.
    const headers =
      result.status !== 200
        ? PLAIN_ERROR_HEADERS
        : result.encoding === 'gzip'
          ? TRACK_GZIP_HEADERS
          : TRACK_HEADERS;
    if (draining.value) reply.header('connection', 'close');
    return reply.code(result.status).headers(headers).send(result.body);
  });
}
