/**
 * @module
 * The metrics listener: `GET /metrics` in Prometheus' text format, on its own port and by default
 * on 127.0.0.1 only, so the gateway's internals are never public beside the track route. Plain
 * `node:http`: one route needs no framework. Anything else gets a fixed 404 that echoes nothing.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MetricsSource } from './cluster-metrics.js';

export interface MetricsServer {
  /** `http://host:port`. */
  readonly origin: string;
  close(): Promise<void>;
}

const FIXED_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

/** `registry`: one process's registry, or under `--workers` the primary's sum (cluster-metrics.ts). */
export async function startMetricsServer(
  registry: MetricsSource,
  where: { readonly host: string; readonly port: number },
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '').split('?', 1)[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { ...FIXED_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
      response.end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { ...FIXED_HEADERS, 'content-type': registry.contentType });
        response.end(text);
      },
      () => {
        response.writeHead(500, { ...FIXED_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
        response.end('metrics unavailable\n');
      },
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = where.host.includes(':') ? `[${where.host}]` : where.host;
  return {
    origin: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
