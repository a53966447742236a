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
config.test = { ...config.test, include: folder.tests };

export default config;
