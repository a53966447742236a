/**
 * @module
 * The check report three ways: a terminal table (check, result, detail; English and 中文), the
 * same as Markdown for the application email (`--report`), and JSON (`--json`). Details are
 * already escaped by the checks; Markdown table cells escape `|` and newlines.
 */
import { CHECKS, type CheckOutcome, type CheckReport } from './check-result.js';

const MARK: Readonly<Record<CheckOutcome, { en: string; zh: string }>> = {
  pass: { en: 'PASS', zh: '通过' },
  warn: { en: 'WARN', zh: '注意' },
  fail: { en: 'FAIL', zh: '失败' },
  skip: { en: 'SKIP', zh: '跳过' },
};

const label = (r: { id: keyof typeof CHECKS; orderid?: string }) =>
  r.orderid ? `${r.id} [${r.orderid}]` : r.id;

function counts(report: CheckReport): string {
  const n = (o: CheckOutcome) => report.results.filter((r) => r.outcome === o).length;
  return `${n('pass')} passed, ${n('warn')} warned, ${n('fail')} failed, ${n('skip')} skipped`;
}

function verdict(report: CheckReport): string {
  if (!report.passed) return 'Not ready. 尚未就绪。';
  return report.results.some((r) => r.outcome === 'warn')
    ? 'Ready for review; read the warnings. 可提交审核，请阅读提示。'
    : 'Ready for review. 可提交审核。';
}

export function renderText(report: CheckReport): string {
  const rows = report.results.map((r) => [
    label(r),
    `${MARK[r.outcome].en} ${MARK[r.outcome].zh}`,
    `${CHECKS[r.id].en} / ${CHECKS[r.id].zh}`,
    r.detail,
  ]);
  const widths = [0, 1].map((i) => Math.max(...rows.map((row) => row[i]!.length), 5));
  const lines = rows.map(
    (row) =>
      `${row[0]!.padEnd(widths[0]!)}  ${row[1]!.padEnd(widths[1]!)}  ${row[2]}\n${' '.repeat(widths[0]! + widths[1]! + 4)}${row[3]}`,
  );
  return (
    `wxtrack check ${report.endpoint}  (${report.startedAt})\n\n` +
    lines.join('\n') +
    `\n\n${counts(report)}. ${verdict(report)}\n`
  );
}

const cell = (text: string) =>
  text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/\r?\n/g, ' ');

export function renderMarkdown(report: CheckReport): string {
  const head =
    `# wxtrack check 接口自检报告\n\n` +
    `- Endpoint 接口地址: \`${report.endpoint}\`\n` +
    `- Waybills 测试运单: ${report.orderids.map((o) => '`' + o + '`').join(', ')}\n` +
    (report.companyId ? `- company_id: \`${report.companyId}\`\n` : '') +
    `- Run at 检测时间: ${report.startedAt}\n` +
    `- Result 结论: **${report.passed ? 'PASS 通过' : 'FAIL 未通过'}** (${counts(report)})\n`;
  const load = report.load
    ? `\n## Load 压测\n\n| connections 并发 | requests 请求数 | req/s | p50 | p99 | errors 错误率 |\n|---|---|---|---|---|---|\n` +
      `| ${report.load.connections} | ${report.load.requests} | ${report.load.requestsPerSecond} | ${report.load.p50Ms} ms | ${report.load.p99Ms} ms | ${(report.load.errorRate * 100).toFixed(2)}% |\n` +
      `\nReplies by code 按错误码统计: ${
        Object.entries(report.load.byCode)
          .map(([what, n]) => `\`${what}\` × ${n}`)
          .join(', ') || 'none'
      }\n`
    : '';
  const table =
    `\n## Checks 检查项\n\n| Check 检查 | Result 结果 | Detail 详情 |\n|---|---|---|\n` +
    report.results
      .map(
        (r) =>
          `| ${cell(CHECKS[r.id].en)}<br>${cell(CHECKS[r.id].zh)}<br>\`${label(r)}\` | ${MARK[r.outcome].en} ${MARK[r.outcome].zh} | ${cell(r.detail)} |`,
      )
      .join('\n') +
    '\n';
  return head + load + table;
}

export const renderJson = (report: CheckReport): string => JSON.stringify(report, null, 2) + '\n';
