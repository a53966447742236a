/**
 * @module
 * Liveness and readiness probes. `/healthz` says the process answers; `/readyz` says the store
 * does too and the process is not shutting down, so a load balancer takes such a gateway out of
 * rotation.
 *
 * `/readyz` answers within {@link READY_BOUND_MS} whatever the store does: a store that hangs
 * (rather than refuses) is answered 503, not left to the prober's own timeout (a load balancer
 * that sees no status may keep the node in rotation, or count the hang against itself).
 */
import type { FastifyInstance } from 'fastify';
import type { Health } from '../store/roles.js';
import { SAFE_HEADERS } from './safe-replies.js';

/** Longest `/readyz` waits for the store before answering 503. */
export const READY_BOUND_MS = 2_000;

/** Resolves when `ping` does, rejects when it does or when `ms` pass first. */
function within(ping: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`store did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([ping, late]).finally(() => clearTimeout(timer));
}

export function registerHealthRoutes(
  app: FastifyInstance,
  store: Pick<Health, 'ping'>,
  draining: { readonly value: boolean },
  onStoreError?: () => void,
  boundMs = READY_BOUND_MS,
): void {
  app.get('/healthz', async (_request, reply) => reply.headers(SAFE_HEADERS).send({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    reply.headers(SAFE_HEADERS);
    if (draining.value) return reply.code(503).header('connection', 'close').send({ status: 'draining' });
    try {
      await within(store.ping(), boundMs);
      return reply.send({ status: 'ready' });
    } catch {
      onStoreError?.();
      return reply.code(503).send({ status: 'unavailable', reason: 'store' });
    }
  });
}
