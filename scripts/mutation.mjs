// @ts-check
/**
 * @module mutation
 *
 * `npm run mutation -- [FOLDER ...] [stryker flags]`: one Stryker run per folder of the core
 * (protocol, gateway, tracking, guard; all four when none is named), each against the tests of
 * that folder only (scripts/mutation-folders.mjs says why), then one summary line per folder:
 * killed, survived, timeout, no coverage, ignored and the score, from `reports/mutation/FOLDER.json`.
 * Flags go to Stryker unchanged, e.g. `--incremental` or `--mutate src/protocol/query.ts`.
 *
 *   npm run mutation -- protocol
 *   npm run mutation -- tracking --incremental
 *   npm run mutation -- --summary   (only print the summary of the last reports)
 *   npm run mutation -- gateway --summary --survivors   (and list what survived)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MUTATION_FOLDERS } from './mutation-folders.mjs';
import { formatSummary, summarize } from './mutation-summary.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const summaryOnly = args.includes('--summary');
const listSurvivors = args.includes('--survivors');
const named = args.filter((a) => a in MUTATION_FOLDERS);
const flags = args.filter((a) => !(a in MUTATION_FOLDERS) && a !== '--summary' && a !== '--survivors');
const unknown = flags.find((a) => !a.startsWith('-') && !flags[flags.indexOf(a) - 1]?.startsWith('-'));
if (unknown !== undefined) {
  process.stderr.write(`unknown folder "${unknown}": one of ${Object.keys(MUTATION_FOLDERS).join(', ')}\n`);
  process.exit(2);
}
const folders = named.length > 0 ? named : Object.keys(MUTATION_FOLDERS);

let failed = false;
if (!summaryOnly) {
  for (const folder of folders) {
    process.stdout.write(`\nmutation: ${folder}\n`);
    const run = spawnSync(
      process.execPath,
      [root + 'node_modules/@stryker-mutator/core/bin/stryker.js', 'run', ...flags],
      {
        cwd: root,
        stdio: 'inherit',
        env: { ...process.env, WXTRACK_MUTATION_FOLDER: folder },
      },
    );
    if (run.status !== 0) failed = true;
  }
}

const rows = [];
for (const folder of folders) {
  const file = `${root}reports/mutation/${folder}.json`;
  if (!existsSync(file)) continue;
  rows.push({
    folder,
    goal: MUTATION_FOLDERS[folder]?.goal,
    ...summarize(JSON.parse(readFileSync(file, 'utf8'))),
  });
}
process.stdout.write('\n' + formatSummary(rows) + '\n');
if (listSurvivors) for (const r of rows) for (const s of r.survivors) process.stdout.write(`${s}\n`);
process.exit(failed ? 1 : 0);
