/**
 * @module
 * The replies no route writes: not found, bad URL, framework errors and the malformed or slow
 * requests Node answers itself (408, 431, 400). Each has a fixed body and the safe headers, and
 * none echoes anything the caller sent: Fastify's defaults quote the URL, and on the track route
 * the URL carries the signature and nonce.
 */
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiErrors, apiErrorBody, type ApiErrorEntry } from '../api/api-errors.js';
import { closeAfterEarlyReply } from './early-reply.js';
import type { Logger } from './logging.js';

/** Headers of every reply outside the track route's own: never sniffed, cached or referred. */
export const SAFE_HEADERS = Object.freeze({
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
});

const JSON_HEADERS = Object.freeze({ ...SAFE_HEADERS, 'content-type': 'application/json; charset=utf-8' });

/** Sends a catalog entry as a fixed JSON body with the safe headers. */
export function sendFixed(reply: FastifyReply, entry: ApiErrorEntry): FastifyReply {
  return reply.code(entry.statusCode).headers(JSON_HEADERS).send(apiErrorBody(entry));
}

/** A whole HTTP/1.1 reply as bytes, for sockets no Fastify reply exists for. */
export function rawReply(entry: ApiErrorEntry): string {
  const body = JSON.stringify(apiErrorBody(entry));
  return (
    `HTTP/1.1 ${entry.statusCode} ${entry.error}\r\n` +
    Object.entries(JSON_HEADERS)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}

const RAW = Object.freeze({
  timeout: rawReply(ApiErrors.REQUEST_TIMEOUT),
  headers: rawReply(ApiErrors.HEADERS_TOO_LARGE),
  bad: rawReply(ApiErrors.BAD_REQUEST),
});

/**
 * Node's `clientError`: a request too slow (408), with headers too large (431) or unparsable
 * (400). Answered with fixed bytes, then the socket is closed.
 */
export function clientErrorHandler(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const text =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? RAW.timeout
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? RAW.headers
        : RAW.bad;
  if (socket.writable) socket.end(text);
  socket.destroySoon();
}

/** `frameworkErrors`: a URL the router cannot decode (`%ZZ`) or a too-long parameter. */
export function frameworkErrors(_err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void sendFixed(reply, ApiErrors.BAD_REQUEST);
}

/** A framework or route error as a fixed reply: its status class kept, its message never sent. */
export function safeErrorReply(
  err: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
  logger: Logger,
): FastifyReply {
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  closeAfterEarlyReply(request.raw, reply.raw);
  if (status === 413) return sendFixed(reply, ApiErrors.BODY_TOO_LARGE);
  if (status === 415) return sendFixed(reply, ApiErrors.UNSUPPORTED_MEDIA_TYPE);
  if (status >= 400 && status < 500) return sendFixed(reply, ApiErrors.BAD_REQUEST);
  logger.error({ reqId: request.id, err }, 'request failed');
  return sendFixed(reply, ApiErrors.INTERNAL);
}

/** Not found and the root error handler. Routes with their own handler (the `/v1` API) keep it. */
export function registerSafeReplies(app: FastifyInstance, logger: Logger): void {
  app.setNotFoundHandler((request, reply) => {
    // A POST to nowhere may be sending a body: let it finish reading the 404.
    closeAfterEarlyReply(request.raw, reply.raw);
    return sendFixed(reply, ApiErrors.NOT_FOUND);
  });
  app.setErrorHandler((err: FastifyError, request, reply) => safeErrorReply(err, request, reply, logger));
}
