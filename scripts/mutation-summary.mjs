// @ts-check
/**
 * @module mutation-summary
 *
 * Counts one Stryker JSON report (mutation-testing-report-schema) the way Stryker scores it:
 * score = (killed + timeout) / (killed + timeout + survived + no coverage). Ignored mutants (a
 * `Stryker disable` comment) and ones that do not compile are left out of the score.
 */

/**
 * @typedef {object} MutationCounts
 * @property {number} killed
 * @property {number} survived
 * @property {number} timeout
 * @property {number} noCoverage
 * @property {number} ignored
 * @property {number} errors     compile and runtime errors
 * @property {number} score      percent, one decimal; NaN when nothing was scored
 * @property {string[]} survivors `file:line:column Mutator replacement`, one per survivor and uncovered mutant
 */

/**
 * @param {{ files: Record<string, { mutants: { status: string, mutatorName: string, replacement?: string,
 *   location: { start: { line: number, column: number } } }[] }> }} report
 * @returns {MutationCounts}
 */
export function summarize(report) {
  const c = { killed: 0, survived: 0, timeout: 0, noCoverage: 0, ignored: 0, errors: 0 };
  /** @type {string[]} */
  const survivors = [];
  for (const [file, { mutants }] of Object.entries(report.files)) {
    for (const m of mutants) {
      if (m.status === 'Killed') c.killed++;
      else if (m.status === 'Timeout') c.timeout++;
      else if (m.status === 'Ignored') c.ignored++;
      else if (m.status === 'Survived' || m.status === 'NoCoverage') {
        if (m.status === 'Survived') c.survived++;
        else c.noCoverage++;
        const at = `${file}:${m.location.start.line}:${m.location.start.column}`;
        survivors.push(
          `${at} ${m.mutatorName}${m.status === 'NoCoverage' ? ' (no coverage)' : ''} ${m.replacement ?? ''}`.trim(),
        );
      } else c.errors++;
    }
  }
  const detected = c.killed + c.timeout;
  const valid = detected + c.survived + c.noCoverage;
  const score = valid === 0 ? Number.NaN : Math.floor((detected / valid) * 1000) / 10;
  return { ...c, score, survivors };
}

/**
 * One line per folder, as docs/mutation.md records them.
 * @param {(MutationCounts & { folder: string, goal: number | undefined })[]} rows
 */
export function formatSummary(rows) {
  const head = '| folder | killed | timeout | survived | no coverage | ignored | score | goal |';
  const rule = '| --- | --: | --: | --: | --: | --: | --: | --: |';
  const lines = rows.map(
    (r) =>
      `| ${r.folder} | ${r.killed} | ${r.timeout} | ${r.survived} | ${r.noCoverage} | ${r.ignored} | ` +
      `${Number.isNaN(r.score) ? '–' : r.score.toFixed(1) + ' %'} | ${r.goal === undefined ? '–' : r.goal + ' %'} |`,
  );
  return [head, rule, ...lines].join('\n');
}
