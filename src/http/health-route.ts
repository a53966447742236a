/**
 * @module
 * Liveness and readiness probes. `/healthz` says the process answers; `/readyz` says the store
 * does too, so a load balancer takes a gateway whose database is gone out of rotation.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/store.js';

export function registerHealthRoutes(app: FastifyInstance, store: Store): void {
  app.get('/healthz', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ status: 'ok' }),
  );
  app.get('/readyz', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    try {
      await store.ping();
      return reply.send({ status: 'ready' });
    } catch {
      return reply.code(503).send({ status: 'unavailable', reason: 'store' });
    }
  });
}
