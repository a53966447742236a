/**
 * @module
 * Liveness and readiness probes. `/healthz` says the process answers; `/readyz` says the store
 * does too and the process is not shutting down, so a load balancer takes such a gateway out of
 * rotation.
 */
import type { FastifyInstance } from 'fastify';
import type { Health } from '../store/roles.js';
import { SAFE_HEADERS } from './safe-replies.js';

export function registerHealthRoutes(
  app: FastifyInstance,
  store: Pick<Health, 'ping'>,
  draining: { readonly value: boolean },
  onStoreError?: () => void,
): void {
  app.get('/healthz', async (_request, reply) => reply.headers(SAFE_HEADERS).send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    reply.headers(SAFE_HEADERS);
    if (draining.value) return reply.code(503).header('connection', 'close').send({ status: 'draining' });
    try {
      await store.ping();
      return reply.send({ status: 'ready' });
    } catch {
      onStoreError?.();
      return reply.code(503).send({ status: 'unavailable', reason: 'store' });
    }
  });
}
