/**
 * @module
 * Replies sent before the request body was read (401, 413, 415, 404 on a POST). Closing the
 * socket right after such a reply, while the client is still sending, makes the kernel answer
 * the unread bytes with a reset, and a reset discards the reply the client has not read yet:
 * curl reports "broken pipe" instead of the 413. So the reply says `Connection: close`, the
 * socket then half-closes (our side is done) and keeps reading and discarding what the client
 * still sends, until the body ends, the client closes, or `lingerMs` passes: nginx's "lingering
 * close" (RFC 9112 §9.6 asks for the same: close in stages).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long a socket may keep sending after an early reply, by default. */
export const LINGER_MS = 2_000;

/** Marks `response` as the last on its socket and, if the body is still arriving, lingers. */
export function closeAfterEarlyReply(
  request: IncomingMessage,
  response: ServerResponse,
  lingerMs = LINGER_MS,
): void {
  const announced =
    request.headers['transfer-encoding'] !== undefined || (request.headers['content-length'] ?? '0') !== '0';
  if (!announced || request.complete || response.headersSent) return;
  response.setHeader('connection', 'close');
  const socket = request.socket as Socket;
  // Node ends a `Connection: close` reply with `socket.destroySoon()`; linger instead.
  socket.destroySoon = function linger(this: Socket) {
    this.end();
    const stop = () => this.destroy();
    const timer = setTimeout(stop, lingerMs);
    timer.unref();
    this.once('close', () => clearTimeout(timer));
    this.once('end', stop);
    if (request.complete) stop();
    else request.once('end', stop);
    // Discard whatever arrives meanwhile (the parser hands the body to the request).
    request.resume();
  };
}

/**
 * `Expect: 100-continue` (curl sends it for large bodies): Node would promise "100 Continue"
 * before any check ran. With this, no request is told to continue until a route that wants
 * the body says so (see {@link continueIfExpected}), so a refusal comes first.
 */
export function deferContinue(server: Server): void {
  server.on('checkContinue', (request, response) => server.emit('request', request, response));
}

/** Sends the "100 Continue" a client waits for, once the request is known to be acceptable. */
export function continueIfExpected(request: IncomingMessage, response: ServerResponse): void {
  if (/^100-continue$/i.test(request.headers.expect ?? '') && !response.headersSent) response.writeContinue();
}

/**
 * A client may half-close its socket (`shutdown(SHUT_WR)`) as soon as its request is sent: it
 * has nothing more to say, but still reads. By default Node ends the socket on the client's FIN,
 * and a reply still being prepared (a push being stored on the worker thread) is then lost,
 * though its events were committed. With this the server answers the requests it has read and
 * closes after the last reply; a half-closed socket with no request in flight is closed at once.
 */
export function answerHalfClosed(server: Server): void {
  // `httpAllowHalfOpen` is read by node:http's server on every client FIN (lib/_http_server.js).
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
}
