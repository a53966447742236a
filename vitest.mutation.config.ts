/**
 * @module
 * The Vitest configuration Stryker runs (`npm run mutation -- FOLDER`): only the tests of the
 * folder being mutated (scripts/mutation-folders.mjs lists them), so that one folder's run takes
 * minutes rather than the hours the whole suite costs per mutant on a 2-core machine.
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';
import { mutationFolder } from './scripts/mutation-folders.mjs';

const folder = mutationFolder(process.env.WXTRACK_MUTATION_FOLDER);
const config = mergeConfig(base, defineConfig({}));
// Replaced, not merged: mergeConfig would append these to the whole suite's include list.
// Instrumented code runs several times slower: the guard's soak (60 simulated seconds at 1,000 q/s)
// outgrows the suite's 20 s timeout under Stryker.
config.test = { ...config.test, include: folder.tests, testTimeout: 120_000 };

export default config;
