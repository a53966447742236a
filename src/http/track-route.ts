/**
 * @module
 * `GET /wechat/track`: WeChat's JSONP query as a Fastify route, a thin shell over
 * track-handler.ts. On a listening server, track-fast-path.ts answers this route before Fastify;
 * this route serves `app.inject`, HEAD, and requests that arrive while the server drains.
 */
import type { FastifyInstance } from 'fastify';
import { acceptsGzip } from './accept-encoding.js';
import type { ClientAddressOf } from './client-address.js';
import type { TrackHandler } from './track-handler.js';

export interface TrackRouteOptions {
  readonly path: string;
  readonly handle: TrackHandler;
  /** Set once the server is shutting down. */
  readonly draining: { readonly value: boolean };
  /** The client's address (client-address.ts); the socket's when left out. */
  readonly addressOf?: ClientAddressOf;
}

export function registerTrackRoute(app: FastifyInstance, options: TrackRouteOptions): void {
  const { handle, draining } = options;
  app.get(options.path, async (request, reply) => {
    const url = request.raw.url ?? '';
    const q = url.indexOf('?');
    const result = await handle(
      q < 0 ? '' : url.slice(q + 1),
      acceptsGzip(request.headers['accept-encoding']),
      options.addressOf ? options.addressOf(request.raw) : request.socket.remoteAddress,
      request.id,
    );
    if (draining.value) reply.header('connection', 'close');
    return reply.code(result.status).headers(result.headers).send(result.body);
  });
}
