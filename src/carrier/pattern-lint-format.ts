/**
 * @module
 * The text `wxtrack pattern lint` prints: findings first (what to fix), then the sections that
 * back them up, then the change notice ready to paste. Pure: no I/O.
 */
import { formatCount, type LintReport } from './pattern-lint.js';
import { pipeTable } from './text-table.js';

const pct = (share: number) =>
  share === 0 ? '0%' : share < 0.001 ? '<0.1%' : `${(share * 100).toFixed(1)}%`;

export function formatLintReport(report: LintReport): string {
  if (!report.ok) return `pattern ${report.pattern}\nREFUSED: ${report.reason}\n`;
  const { carrier, coverage, collisions, breadth } = report;
  let out = `Pattern lint: ${carrier.name} (${carrier.id})  ${report.pattern}\n\n`;
  out +=
    report.findings.length === 0
      ? 'No findings.\n'
      : `Findings (${report.findings.length}):\n${report.findings.map((f) => `  - ${f}\n`).join('')}`;

  out += '\nCoverage of stored waybills\n';
  out +=
    coverage.share === undefined
      ? '  no stored waybills for this carrier\n'
      : `  ${coverage.matched} of ${coverage.checked} match (${pct(coverage.share)})\n` +
        (coverage.misses.length > 0 ? `  not matching, e.g.: ${coverage.misses.join(', ')}\n` : '');

  out += '\nCollisions with major couriers\n';
  out +=
    collisions.length === 0
      ? '  none\n'
      : collisions
          .map(
            (c) =>
              `  ${c.courier} (${c.code}): ` +
              [
                c.sampleHits.length > 0 ? `samples matched ${c.sampleHits.join(', ')}` : '',
                c.overlap.length > 0 ? `shared numbers e.g. ${c.overlap.join(', ')}` : '',
              ]
                .filter(Boolean)
                .join('; ') +
              '\n',
          )
          .join('');

  out += `\nBreadth (numbers accepted per length${breadth.unbounded ? '; unbounded, counted up to 64' : ''})\n`;
  out += pipeTable(
    ['length', 'accepted', 'of all digit strings', 'of all A-Z0-9 strings'],
    breadth.lengths.map((l) => [
      String(l.length),
      formatCount(l.count),
      pct(l.digitShare),
      pct(l.alnumShare),
    ]),
  )
    .split('\n')
    .map((line) => (line ? `  ${line}` : line))
    .join('\n');

  out += `\nChange notice to email WeChat (运单正则表达式更新)\n${'-'.repeat(48)}\n${report.notice}`;
  return out;
}
