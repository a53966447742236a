/**
 * @module
 * The bounded load: N connections for T seconds, with a hard cap on the total, each request a
 * fresh signed query (a new nonce every time: the load never replays a signature, which a
 * conforming endpoint would refuse). Reports p50, p99 and the error rate. Defaults fit a laptop.
 */
import { fail, pass, type CheckResult, type LoadFigures } from './check-result.js';
import { lenientErrCode } from './security-probes.js';
import { createClient, freshNonce, probeOpenid, signedParams } from './wechat-client.js';

export const LOAD_DEFAULTS = Object.freeze({
  connections: 4,
  seconds: 5,
  /** Whatever the flags say, never more than this many requests in one run. */
  maxRequests: 2000,
  hardCap: 20_000,
  p99BudgetMs: 1000,
});

export interface LoadInput {
  readonly endpoint: string;
  readonly token: string;
  readonly orderids: readonly string[];
  readonly companyId?: string;
  readonly now: () => number;
  readonly connections?: number;
  readonly seconds?: number;
  readonly maxRequests?: number;
  readonly p99BudgetMs?: number;
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function loadProbe(input: LoadInput): Promise<{ result: CheckResult; figures: LoadFigures }> {
  const connections = Math.max(1, Math.min(input.connections ?? LOAD_DEFAULTS.connections, 64));
  const seconds = Math.max(1, Math.min(input.seconds ?? LOAD_DEFAULTS.seconds, 60));
  const cap = Math.max(1, Math.min(input.maxRequests ?? LOAD_DEFAULTS.maxRequests, LOAD_DEFAULTS.hardCap));
  const budget = input.p99BudgetMs ?? LOAD_DEFAULTS.p99BudgetMs;
  const client = createClient(input.endpoint, { connections });
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async (w: number) => {
    while (sent < cap && performance.now() < deadline) {
      const orderid = input.orderids[sent % input.orderids.length]!;
      sent++;
      const params = signedParams({
        token: input.token,
        orderid,
        openid: probeOpenid('Load' + w),
        timestamp: String(Math.floor(input.now() / 1000)),
        nonce: freshNonce(),
        ...(input.companyId === undefined ? {} : { companyId: input.companyId }),
      });
      try {
        const reply = await client.get(params);
        latencies.push(reply.ms);
        if (reply.status !== 200 || lenientErrCode(reply.body) !== 0) errors++;
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, (_, w) => worker(w)));
  const elapsed = (performance.now() - started) / 1000;
  client.close();
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  const figures: LoadFigures = {
    connections,
    seconds,
    requests: sent,
    errors,
    errorRate: sent === 0 ? 0 : errors / sent,
    p50Ms: round(quantile(latencies, 0.5)),
    p99Ms: round(quantile(latencies, 0.99)),
    requestsPerSecond: round(sent / Math.max(elapsed, 0.001)),
    capped: sent >= cap,
  };
  const summary =
    `${figures.requests} requests over ${connections} connections${figures.capped ? ' (cap reached)' : ''}, ` +
    `${figures.requestsPerSecond}/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ` +
    `errors ${(figures.errorRate * 100).toFixed(2)}%`;
  const ok = errors === 0 && figures.p99Ms <= budget;
  return {
    result: ok ? pass('load', summary) : fail('load', summary + (errors ? '' : `; p99 over ${budget} ms`)),
    figures,
  };
}
