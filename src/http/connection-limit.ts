/**
 * @module
 * A cap on open client connections. Node's `server.maxConnections` refuses every newcomer once
 * full, so a few hundred slow sockets lock every normal client out. Here, at the cap, the oldest
 * connection that is not in the middle of a request (idle keep-alive, or one that never finished
 * sending a request head) is closed to make room; only when every connection is busy is the
 * newcomer refused, with a fixed 503. It also answers the idle timeout. Together with the request and idle timeouts this bounds
 * both the file descriptors a gateway holds and how long a slow client can hold one.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { ApiErrors } from '../api/api-errors.js';
import { rawReply } from './safe-replies.js';

const REFUSED = rawReply(ApiErrors.TOO_MANY_CONNECTIONS);
const TIMED_OUT = rawReply(ApiErrors.REQUEST_TIMEOUT);

export interface ConnectionCounts {
  /** Connections open now. */
  readonly open: number;
  /** Idle or half-sent connections closed to make room. */
  readonly evicted: number;
  /** Newcomers refused because every connection was busy. */
  readonly refused: number;
}

/** Watches `server` and enforces `max`; returns live counts (for metrics and tests). */
export function limitConnections(server: Server, max: number): () => ConnectionCounts {
  // Insertion order is "idle since" order: a socket is moved to the end whenever it goes idle.
  const idle = new Map<Socket, true>();
  const busy = new Set<Socket>();
  let evicted = 0;
  let refused = 0;

  server.on('connection', (socket: Socket) => {
    if (idle.size + busy.size >= max) {
      const oldest = idle.keys().next();
      if (oldest.done) {
        refused++;
        socket.end(REFUSED);
        socket.destroySoon();
        return;
      }
      evicted++;
      idle.delete(oldest.value);
      oldest.value.destroy();
    }
    idle.set(socket, true);
    socket.once('close', () => {
      idle.delete(socket);
      busy.delete(socket);
    });
  });
  server.on('request', (request, response) => {
    const socket = request.socket as Socket;
    if (!idle.delete(socket) && !busy.has(socket)) return; // not one of ours (closed meanwhile)
    busy.add(socket);
    response.once('finish', () => {
      if (busy.delete(socket) && !socket.destroyed) idle.set(socket, true);
    });
  });
  // The idle timeout (`server.setTimeout`): a socket between requests, or one still sending a
  // request head, is told 408 before it is closed; one whose reply is being written is just closed.
  server.on('timeout', (socket: Socket) => {
    if (busy.has(socket) || !socket.writable) {
      socket.destroy();
      return;
    }
    socket.end(TIMED_OUT);
    socket.destroySoon();
  });
  return () => ({ open: idle.size + busy.size, evicted, refused });
}
