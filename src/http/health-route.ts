/**
 * @module
 * Liveness and readiness probes. `/healthz` says the process answers; `/readyz` says the store
 * does too and the process is not shutting down, so a load balancer takes such a gateway out of
 * rotation.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';

export function registerHealthRoutes(
  app: FastifyInstance,
  store: Store,
  draining: { readonly value: boolean },
): void {
  app.get('/healthz', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );
  app.get('/readyz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    if (draining.value) return reply.code(503).header('connection', 'close').send({ status: 'draining' });
    try {
      await store.ping();
      return reply.send({ status: 'ready' });
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'store' });
    }
  });
}
