/**
 * @module
 * `GET /wechat/track`: WeChat's JSONP query. A thin shell over gateway/answer-query.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { Answer, QueryAnswerer } from '../gateway/answer-query.js';
import { PLAIN_ERROR_HEADERS, TRACK_HEADERS } from './headers.js';
import { hashOpenid, type Logger } from './logging.js';

export interface TrackRouteOptions {
  readonly path: string;
  readonly answer: QueryAnswerer;
  readonly logger: Logger;
  /** Log every query, not only failures. */
  readonly accessLog: boolean;
  /** Set once the server is shutting down. */
  readonly draining: { readonly value: boolean };
  /** Sees every answer and its duration, seconds (metrics). */
  readonly observe?: (answer: Answer, seconds: number) => void;
  /** Whether to log a refusal of this code: `undefined` skips it, else the count skipped before. */
  readonly sampleRefusal?: (code: number) => number | undefined;
}

export function registerTrackRoute(app: FastifyInstance, options: TrackRouteOptions): void {
  const { answer, logger, accessLog, draining, observe, sampleRefusal } = options;
  app.get(options.path, async (request, reply) => {
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    const started = observe === undefined ? 0 : performance.now();
    const result = await answer(q < 0 ? '' : url.slice(q + 1));
    observe?.(result, (performance.now() - started) / 1000);
    const suppressed =
      result.outcome.code === 0 || sampleRefusal === undefined ? 0 : sampleRefusal(result.outcome.code);
    if ((result.outcome.code !== 0 || accessLog) && suppressed !== undefined) {
      const fields = {
        reqId: request.id,
        code: result.outcome.code,
        carrier: result.carrier,
        orderid: result.orderid,
        user: result.openid === undefined ? undefined : hashOpenid(result.openid),
        suppressed: suppressed > 0 ? suppressed : undefined,
      };
      if (result.error !== undefined) logger.error({ ...fields, err: result.error }, 'track query failed');
      else if (result.outcome.code === 0) logger.info(fields, 'track query');
      else logger.warn(fields, 'track query refused');
    }
    // Only the callback refusal is not JSONP, and says so in its type.
    const headers = result.status === 200 ? TRACK_HEADERS : PLAIN_ERROR_HEADERS;
    if (draining.value) reply.header('connection', 'close');
    return reply.code(result.status).headers(headers).send(result.body);
  });
}
