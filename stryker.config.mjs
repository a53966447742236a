// @ts-check
/**
 * Stryker's configuration for one folder of the core, named by `WXTRACK_MUTATION_FOLDER`
 * (`npm run mutation -- protocol` sets it; see scripts/mutation.mjs). Reports go to
 * `reports/mutation/FOLDER.{html,json}` and the incremental file next to them (never committed).
 */
import { mutationFolder } from './scripts/mutation-folders.mjs';

const name = process.env.WXTRACK_MUTATION_FOLDER;
const folder = mutationFolder(name);

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  mutate: folder.mutate,
  coverageAnalysis: 'perTest',
  // The machine is shared: one test process. Raise it with --concurrency on a quiet machine.
  concurrency: 1,
  dryRunTimeoutMinutes: 30,
  timeoutMS: 10000,
  tempDirName: '.stryker-tmp',
  ignorePatterns: ['dist', 'coverage', 'data', '.bench-cache', 'reports'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  thresholds: { high: folder.goal ?? 90, low: (folder.goal ?? 90) - 5, break: null },
};
