/**
 * @module
 * `wxtrack check <url>`: plays WeChat's front end against any endpoint (wxtrack or another) and
 * reports whether it is ready for WeChat's 性能和安全审核. Exit 0 when no check fails (warnings
 * allowed), 1 when any fails, 2 on usage errors.
 */
import { writeFileSync } from 'node:fs';
import { type Flags } from '../../config/settings.js';
import { loadSigner } from '../../config/carrier-settings.js';
import { LOAD_DEFAULTS } from '../../conformance/load-probe.js';
import { renderJson, renderMarkdown, renderText } from '../../conformance/report-render.js';
import { runCheck } from '../../conformance/run-check.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

const positiveInt = (v: unknown): number | undefined | false => {
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : false;
};

export const checkCommand: Command = {
  name: 'check',
  summary: "check an endpoint as WeChat's front end and review would",
  usage: `wxtrack check <url> (--token T | --config FILE [--carrier ID]) --orderid X [--orderid Y …] [--company-id C]
                     [--json] [--report FILE.md] [--no-load]
                     [--connections N] [--seconds S] [--max-requests M] [--p99-budget MS]
                     [--rate-budget N]

  Signs queries as WeChat does, reads replies as WeChat's page does, probes the security rules,
  then runs a bounded load (default ${LOAD_DEFAULTS.connections} connections × ${LOAD_DEFAULTS.seconds} s, at most ${LOAD_DEFAULTS.maxRequests} requests; never more
  than ${LOAD_DEFAULTS.hardCap}; p99 budget ${LOAD_DEFAULTS.p99BudgetMs} ms). Give a waybill in transit and a signed one; a second
  --orderid also enables the replay-with-another-orderid probe.
  The token is --token, else (with --config or WXTRACK_CONFIG) the carrier's current token, else
  WXTRACK_TOKEN; with a file, the carrier's id is sent as company_id unless --company-id says
  otherwise.
  --rate-budget N: the endpoint lets one client N queries a minute (wxtrack's --rate-limit, 600 by
  default): the whole check, load included, sends at most N, so the endpoint's own limit (42901)
  never answers the probe. Without it, a 42901 in the load is named as the rate limit.
  --report writes the report as Markdown, for the application email (wxtrack apply).
  Each result is PASS, WARN (legal, but unlike the spec's example; the detail says why) or FAIL.
  Exit status: 0 no check failed (warnings allowed), 1 a check failed, 2 usage error.`,
  options: {
    token: { type: 'string' },
    config: { type: 'string' },
    carrier: { type: 'string' },
    orderid: { type: 'string', multiple: true },
    'company-id': { type: 'string' },
    json: { type: 'boolean' },
    report: { type: 'string' },
    'no-load': { type: 'boolean' },
    connections: { type: 'string' },
    seconds: { type: 'string' },
    'max-requests': { type: 'string' },
    'p99-budget': { type: 'string' },
    'rate-budget': { type: 'string' },
  },
  positionals: true,
  run: async (flags: Flags, args, io: Output) => {
    const orderids = (flags as Record<string, unknown>).orderid as string[] | undefined;
    const usage = (why: string) => {
      io.err(`wxtrack check: ${why}\n\n${checkCommand.usage}\n`);
      return 2;
    };
    if (args.length !== 1) return usage('give exactly one endpoint URL');
    let url: URL;
    try {
      url = new URL(args[0]!);
    } catch {
      return usage('the endpoint is not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      return usage('the endpoint must be http or https');
    const signer = loadSigner(flags);
    if (!signer.ok) return usage(signer.errors.join('; '));
    const { token, companyId } = signer;
    if (!orderids?.length) return usage('at least one --orderid is required');
    const numbers = {
      connections: positiveInt(flags.connections),
      seconds: positiveInt(flags.seconds),
      maxRequests: positiveInt(flags['max-requests']),
      p99BudgetMs: positiveInt(flags['p99-budget']),
      rateBudget: positiveInt(flags['rate-budget']),
    };
    if (Object.values(numbers).includes(false)) return usage('load settings take positive whole numbers');
    const load = Object.fromEntries(Object.entries(numbers).filter(([, v]) => v !== undefined)) as Record<
      string,
      number
    >;
    const report = await runCheck({
      endpoint: url.href,
      token,
      orderids,
      ...(companyId === undefined ? {} : { companyId }),
      load: flags['no-load'] === true ? false : load,
    });
    if (typeof flags.report === 'string') writeFileSync(flags.report, renderMarkdown(report));
    io.out(flags.json === true ? renderJson(report) : renderText(report));
    return report.passed ? 0 : 1;
  },
};
