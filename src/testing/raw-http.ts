/**
 * @module
 * Talking to a listening server over real sockets, for the tests `inject()` cannot do: timeouts,
 * connection caps, replies written while the client is still sending, bytes no HTTP client would
 * send. Every wait is bounded.
 */
import { connect, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1, port 0; returns the port. */
export async function listenLocal(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  return (app.server.address() as AddressInfo).port;
}

export interface RawResult {
  /** Everything the server sent. */
  readonly text: string;
  /** The status of the first response, when one came. */
  readonly status: number | undefined;
  /** The server closed the connection (rather than our bound running out). */
  readonly closedByServer: boolean;
  /** Socket error, if any (ECONNRESET, EPIPE...). */
  readonly error: string | undefined;
}

/** Opens a socket (optionally from another loopback address); resolves once connected. */
export function open(port: number, localAddress?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...(localAddress ? { localAddress } : {}) });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Collects what `socket` receives until the server closes it or `boundMs` passes. */
export function collect(socket: Socket, boundMs: number): Promise<RawResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const finish = (closedByServer: boolean) => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      socket.destroy();
      resolve({ text, status: m ? Number(m[1]) : undefined, closedByServer, error });
    };
    const timer = setTimeout(() => finish(false), boundMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.once('close', () => finish(true));
  });
}

/** Sends `bytes`, then collects until close or `boundMs`. */
export async function exchange(port: number, bytes: string | Buffer, boundMs = 5000): Promise<RawResult> {
  const socket = await open(port);
  const result = collect(socket, boundMs);
  socket.write(bytes);
  return result;
}

/** The body of a raw response: what follows the blank line (a single, non-chunked response). */
export function bodyOf(text: string): string {
  const i = text.indexOf('\r\n\r\n');
  return i < 0 ? '' : text.slice(i + 4);
}

/** A raw response's header value (first response), lower-cased name. */
export function headerOf(text: string, name: string): string | undefined {
  const head = text.slice(0, Math.max(0, text.indexOf('\r\n\r\n')));
  for (const line of head.split('\r\n').slice(1)) {
    const i = line.indexOf(':');
    if (line.slice(0, i).trim().toLowerCase() === name) return line.slice(i + 1).trim();
  }
  return undefined;
}
