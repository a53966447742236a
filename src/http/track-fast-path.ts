/**
 * @module
 * WeChat's query route answered straight from node:http, before Fastify's router; every other
 * request (and this one while the server drains) goes to Fastify as before.
 *
 * Why: on the query route Fastify's per-request work (its Request and Reply objects, hooks, the
 * router, header merging) cost about as much as everything wxtrack itself does for a query whose
 * reply is in the view, a few microseconds against a bare node:http server's ~13 µs per request
 * on the bench machine. The route has no body, no plugins and one handler, so it gains nothing
 * from them. The Fastify route (track-route.ts) stays, answering through the same QueryAnswerer,
 * for in-process tests (`app.inject` never reaches the socket) and as the fallback.
 *
 * What stays the same as the Fastify route: the status, headers (track headers, `Vary`,
 * `Content-Encoding` for gzip), body, and log lines of every outcome. What this path leaves to
 * Fastify: any method but GET (HEAD included), any path spelled otherwise (percent-escapes), and
 * every request once draining began, so shutdown keeps Fastify's 503; a query already in flight
 * when the drain begins is answered with `Connection: close`, as the Fastify route does.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { QueryAnswerer } from '../gateway/answer-query.js';
import { acceptsGzip } from './accept-encoding.js';
import { PLAIN_ERROR_HEADERS, TRACK_GZIP_HEADERS, TRACK_HEADERS } from './headers.js';
import { hashOpenid, type Logger } from './logging.js';

export interface TrackFastPathOptions {
  readonly path: string;
  readonly answer: QueryAnswerer;
  readonly logger: Logger;
  readonly accessLog: boolean;
  readonly draining: { readonly value: boolean };
}

/** Returns a handler that answers the query route and returns true, or returns false untouched. */
export function createTrackFastPath(
  options: TrackFastPathOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { path, answer, logger, accessLog, draining } = options;
  const QUESTION = 63; // '?'
  let seq = 0;
  return (req, res) => {
    if (req.method !== 'GET' || draining.value) return false;
    const url = req.url ?? '';
    if (!url.startsWith(path)) return false;
    if (url.length > path.length && url.charCodeAt(path.length) !== QUESTION) return false;
    const search = url.length > path.length ? url.slice(path.length + 1) : '';
    answer(search, acceptsGzip(req.headers['accept-encoding'])).then(
      (result) => {
        if (result.outcome.code !== 0 || accessLog) {
          const fields = {
            reqId: 'q-' + (++seq).toString(36),
            code: result.outcome.code,
            carrier: result.carrier,
            orderid: result.orderid,
            user: result.openid === undefined ? undefined : hashOpenid(result.openid),
          };
          if (result.error !== undefined)
            logger.error({ ...fields, err: result.error }, 'track query failed');
          else if (result.outcome.code === 0) logger.info(fields, 'track query');
          else logger.warn(fields, 'track query refused');
        }
        const headers =
          result.status !== 200
            ? PLAIN_ERROR_HEADERS
            : result.encoding === 'gzip'
              ? TRACK_GZIP_HEADERS
              : TRACK_HEADERS;
        const body = result.body;
        res.writeHead(result.status, {
          ...headers,
          'content-length': typeof body === 'string' ? Buffer.byteLength(body) : body.length,
          // A query that was in flight when the drain began: its socket must not stay open.
          ...(draining.value ? { connection: 'close' } : {}),
        });
        res.end(body);
      },
      (err: unknown) => {
        // answer() turns every failure into a reply; reaching here is a bug. Echo nothing.
        logger.error({ err }, 'track query crashed');
        res.writeHead(500, { ...PLAIN_ERROR_HEADERS, connection: 'close' });
        res.end('internal error\n');
      },
    );
    return true;
  };
}
