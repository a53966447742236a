/**
 * @module
 * One `wxtrack check` run: the reply checks for every waybill, the security probes, then the
 * bounded load, gathered into one report in the catalogue's order.
 */
import {
  CHECKS,
  fail,
  type CheckId,
  type CheckReport,
  type CheckResult,
  type LoadFigures,
} from './check-result.js';
import { loadProbe } from './load-probe.js';
import { replyChecks } from './reply-checks.js';
import { securityProbes } from './security-probes.js';
import { createClient, freshNonce, probeOpenid, signedParams } from './wechat-client.js';

export interface CheckInput {
  /** The endpoint WeChat calls, e.g. `https://track.example.com/wechat/track`. */
  readonly endpoint: string;
  readonly token: string;
  readonly orderids: readonly string[];
  readonly companyId?: string;
  /** Epoch milliseconds WeChat would stamp; the system time unless a test injects a clock. */
  readonly now?: () => number;
  /** Leave the load out (`--no-load`). */
  readonly load?:
    | false
    | {
        connections?: number;
        seconds?: number;
        maxRequests?: number;
        p99BudgetMs?: number;
        rateBudget?: number;
      };
}

const ORDER = Object.keys(CHECKS) as CheckId[];

export async function runCheck(input: CheckInput): Promise<CheckReport> {
  const now = input.now ?? (() => Date.now());
  const startedAt = new Date().toISOString();
  const raw = createClient(input.endpoint);
  // Every query the checks send counts against the operator's --rate-budget, the load's included.
  let sent = 0;
  const client: typeof raw = {
    get: (params) => {
      sent++;
      return raw.get(params);
    },
    close: () => raw.close(),
  };
  const results: CheckResult[] = [];
  let load: LoadFigures | undefined;
  try {
    for (const orderid of input.orderids) {
      const params = signedParams({
        token: input.token,
        orderid,
        openid: probeOpenid('Reply'),
        timestamp: String(Math.floor(now() / 1000)),
        nonce: freshNonce(),
        ...(input.companyId === undefined ? {} : { companyId: input.companyId }),
      });
      try {
        results.push(...replyChecks(await client.get(params), orderid));
      } catch (err) {
        results.push(fail('http-status', `no reply: ${(err as Error).message}`, orderid));
      }
    }
    try {
      results.push(...(await securityProbes(client, { ...input, now })));
    } catch (err) {
      results.push(fail('bad-signature', `probes stopped: ${(err as Error).message}`));
    }
  } finally {
    client.close();
  }
  if (input.load !== false) {
    const probe = await loadProbe({ ...input, ...(input.load ?? {}), now, sentBefore: sent });
    results.push(probe.result);
    load = probe.figures;
  }
  const rank = (r: CheckResult) =>
    ORDER.indexOf(r.id) * 1000 + Math.max(0, input.orderids.indexOf(r.orderid ?? ''));
  results.sort((a, b) => rank(a) - rank(b));
  const url = new URL(input.endpoint);
  return {
    endpoint: url.origin + url.pathname,
    orderids: [...input.orderids],
    ...(input.companyId === undefined ? {} : { companyId: input.companyId }),
    startedAt,
    results,
    ...(load ? { load } : {}),
    passed: results.every((r) => r.outcome !== 'fail'),
  };
}

/** The ids of the checks that failed, each once. */
export const failedIds = (report: CheckReport): CheckId[] => [
  ...new Set(report.results.filter((r) => r.outcome === 'fail').map((r) => r.id)),
];
