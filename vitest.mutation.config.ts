/**
 * @module
 * The Vitest configuration Stryker runs (`npm run mutation`): the normal suite, less the tests
 * that exercise the built `dist/` rather than `src/` (a mutant in `src/` cannot reach them, so
 * they only cost time) and the timing-heavy pattern bench test.
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'src/e2e/**',
        'src/cli/serve-reload.test.ts',
        'src/cli/import-resume.test.ts',
        'src/carrier/pattern-bench.test.ts',
      ],
    },
  }),
);
