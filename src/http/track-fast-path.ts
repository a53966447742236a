/**
 * @module
 * WeChat's query route answered straight from node:http, before Fastify's router; every other
 * request (and this one while the server drains) goes to Fastify as before.
 *
 * Why: on the query route Fastify's per-request work (its Request and Reply objects, hooks, the
 * router, header merging) cost about as much as everything wxtrack itself does for a query whose
 * reply is in the view, a few microseconds against a bare node:http server's ~13 µs per request
 * on the bench machine. The route has no body, no plugins and one handler, so it gains nothing
 * from them. Both paths answer through the same track-handler.ts, so status, headers, body, log
 * lines, metrics and the client budget are the same whichever way a query arrives.
 *
 * Left to Fastify: any method but GET (HEAD included), any path spelled otherwise
 * (percent-escapes), and every request once draining began, so shutdown keeps Fastify's 503; a
 * query already in flight when the drain begins is answered with `Connection: close`.
 *
 * A reply the handler returns at once (a view hit with the memory guard) is written in the same
 * turn, without a promise; its headers go to `writeHead` as a fixed flat array whose one slot,
 * the length, is filled per reply (no array built per reply).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { acceptsGzip } from './accept-encoding.js';
import { PLAIN_ERROR_HEADERS_FLAT } from './headers.js';
import type { ClientAddressOf } from './client-address.js';
import type { Logger } from './logging.js';
import type { TrackHandler, TrackReply } from './track-handler.js';

export interface TrackFastPathOptions {
  readonly path: string;
  readonly handle: TrackHandler;
  readonly logger: Logger;
  readonly draining: { readonly value: boolean };
  /** The client's address (client-address.ts: a declared proxy's forwarded one); the socket's by default. */
  readonly addressOf?: ClientAddressOf;
}

/** Returns a handler that answers the query route and returns true, or returns false untouched. */
export function createTrackFastPath(
  options: TrackFastPathOptions,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const { path, handle, logger, draining } = options;
  const addressOf = options.addressOf ?? ((req: IncomingMessage) => req.socket.remoteAddress);
  const QUESTION = 63; // '?'
  let seq = 0;
  const crashed = (res: ServerResponse, err: unknown) => {
    // The handler turns every failure into a reply; reaching here is a bug. Echo nothing.
    logger.error({ err }, 'track query crashed');
    res.writeHead(500, [...PLAIN_ERROR_HEADERS_FLAT, 'connection', 'close']);
    res.end('internal error\n');
  };
  /**
   * Per header set, the array `writeHead` gets, built once, with the length's slot last but one
   * (and `connection: close` after it while draining): filled and handed over per reply instead
   * of spreading a new array. `writeHead` reads it before returning and keeps no reference.
   * One array of 14 strings less per reply; within the noise of `npm run bench` (main thread
   * 66.0 → 62.4 µs per request beside the code before, load average 15–20).
   */
  const arrays = new Map<readonly string[], { open: string[]; closing: string[] }>();
  const arrayFor = (flat: readonly string[], closing: boolean): string[] => {
    let a = arrays.get(flat);
    if (a === undefined) {
      a = {
        open: [...flat, 'content-length', ''],
        closing: [...flat, 'connection', 'close', 'content-length', ''],
      };
      // Fixed header sets only; a reply with headers of its own (Retry-After) is not kept.
      if (arrays.size < 16) arrays.set(flat, a);
    }
    return closing ? a.closing : a.open;
  };
  const send = (res: ServerResponse, result: TrackReply) => {
    const body = result.body;
    const headers = arrayFor(result.flat, draining.value);
    // A query that was in flight when the drain began: its socket must not stay open.
    headers[headers.length - 1] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
    res.writeHead(result.status, headers);
    res.end(body);
  };
  return (req, res) => {
    if (req.method !== 'GET' || draining.value) return false;
    const url = req.url ?? '';
    if (!url.startsWith(path)) return false;
    if (url.length > path.length && url.charCodeAt(path.length) !== QUESTION) return false;
    const search = url.length > path.length ? url.slice(path.length + 1) : '';
    let result: TrackReply | Promise<TrackReply>;
    try {
      result = handle(
        search,
        acceptsGzip(req.headers['accept-encoding']),
        addressOf(req),
        'q-' + (++seq).toString(36),
      );
    } catch (err) {
      crashed(res, err);
      return true;
    }
    if (result instanceof Promise) {
      result.then(
        (r) => send(res, r),
        (err: unknown) => crashed(res, err),
      );
    } else send(res, result);
    return true;
  };
}
