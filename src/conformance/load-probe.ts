/**
 * @module
 * The bounded load: N connections for T seconds, with a hard cap on the total, each request a
 * fresh signed query (a new nonce every time: the load never replays a signature, which a
 * conforming endpoint would refuse). Reports p50, p99, the error rate and the replies by error
 * code, naming a 42901 for what it is: the endpoint's own rate limit, not a fault of its answers.
 * Defaults fit a laptop.
 *
 * `rateBudget`: queries a minute the operator lets the whole check send (the endpoint's per-client
 * limit, 600 for wxtrack's default). The load then sends at most what the reply checks and probes
 * left of it; whatever the limiter's window, a run that sends no more than the budget in all
 * cannot spend it within a minute.
 */
import {
  fail,
  pass,
  RATE_LIMITED,
  RATE_LIMITED_HINT,
  type CheckResult,
  type LoadFigures,
} from './check-result.js';
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
  /** Queries a minute the whole check may send; none: no budget. */
  readonly rateBudget?: number;
  /** Queries the check sent before the load (counted against `rateBudget`). */
  readonly sentBefore?: number;
}

/** The q-quantile of sorted values (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export async function loadProbe(input: LoadInput): Promise<{ result: CheckResult; figures: LoadFigures }> {
  const connections = Math.max(1, Math.min(input.connections ?? LOAD_DEFAULTS.connections, 64));
  const seconds = Math.max(1, Math.min(input.seconds ?? LOAD_DEFAULTS.seconds, 60));
  const budgetLeft =
    input.rateBudget === undefined ? Infinity : Math.max(0, input.rateBudget - (input.sentBefore ?? 0));
  const cap = Math.min(
    budgetLeft,
    Math.max(1, Math.min(input.maxRequests ?? LOAD_DEFAULTS.maxRequests, LOAD_DEFAULTS.hardCap)),
  );
  if (cap === 0) {
    const figures: LoadFigures = {
      connections: 0,
      seconds: 0,
      requests: 0,
      errors: 0,
      errorRate: 0,
      p50Ms: 0,
      p99Ms: 0,
      requestsPerSecond: 0,
      capped: true,
      byCode: {},
      ...(input.rateBudget === undefined ? {} : { rateBudget: input.rateBudget }),
    };
    return {
      result: fail(
        'load',
        `--rate-budget ${input.rateBudget} leaves no query for the load: the checks before it sent ${input.sentBefore ?? 0}`,
      ),
      figures,
    };
  }
  const budget = input.p99BudgetMs ?? LOAD_DEFAULTS.p99BudgetMs;
  const client = createClient(input.endpoint, { connections });
  const latencies: number[] = [];
  let sent = 0;
  let errors = 0;
  const byCode = new Map<string, number>();
  const count = (what: string) => byCode.set(what, (byCode.get(what) ?? 0) + 1);
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
        const code = reply.status === 200 ? lenientErrCode(reply.body) : undefined;
        count(code === undefined ? `HTTP ${reply.status}` : String(code));
        if (code !== 0) errors++;
      } catch {
        count('no reply');
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
    byCode: Object.fromEntries([...byCode].sort(([a], [b]) => a.localeCompare(b))),
    ...(input.rateBudget === undefined ? {} : { rateBudget: input.rateBudget }),
  };
  const failures = [...byCode].filter(([what]) => what !== '0');
  const summary =
    `${figures.requests} requests over ${connections} connections${figures.capped ? ' (cap reached)' : ''}, ` +
    `${figures.requestsPerSecond}/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, ` +
    `errors ${(figures.errorRate * 100).toFixed(2)}%` +
    (failures.length > 0
      ? ` (${failures.map(([what, n]) => `${what === 'no reply' || what.startsWith('HTTP') ? what : 'err_code ' + what} × ${n}`).join(', ')})`
      : '') +
    (input.rateBudget === undefined ? '' : `; within --rate-budget ${input.rateBudget}/min`);
  const limited = byCode.get(String(RATE_LIMITED)) ?? 0;
  const ok = errors === 0 && figures.p99Ms <= budget;
  const why = [
    ...(limited > 0 ? [`${RATE_LIMITED}: ${RATE_LIMITED_HINT}`] : []),
    ...(figures.p99Ms > budget ? [`p99 over ${budget} ms`] : []),
  ];
  return {
    result: ok ? pass('load', summary) : fail('load', [summary, ...why].join('; ')),
    figures,
  };
}
