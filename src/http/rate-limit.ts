/**
 * @module
 * The per-client budget of the track route, with @fastify/rate-limit (in-memory, per address,
 * fixed one-minute windows). WeChat's page reads the reply as JSONP through a `<script>` tag,
 * which cannot read a 429's body, so a spent budget is answered like every other refusal: HTTP
 * 200 and `WxOrderCb({"err_code":42901,...})`, a constant body that echoes nothing.
 *
 * The client address is the socket's: behind a reverse proxy every query shares the proxy's
 * address, so rate-limit at the proxy there, or raise the budget (0 turns it off).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';

/** Thrown by the plugin when a client's budget is spent; the track scope answers it as JSONP. */
export class RateLimited extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('rate limited');
  }
}

const OFF = { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false };

/** Limits every route registered in `scope` afterwards to `perMinute` requests per address. */
export async function registerRateLimit(scope: FastifyInstance, perMinute: number): Promise<void> {
  await scope.register(rateLimit, {
    global: true,
    max: perMinute,
    timeWindow: 60_000,
    // No headers on allowed replies: they would cost every query, and tell a prober its budget.
    addHeadersOnExceeding: OFF,
    addHeaders: { ...OFF, 'retry-after': true },
    errorResponseBuilder: (_request, context) => new RateLimited(Math.ceil(context.ttl / 1000)),
  });
}
