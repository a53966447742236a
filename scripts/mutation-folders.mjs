// @ts-check
/**
 * @module mutation-folders
 *
 * The folders `npm run mutation` measures, one Stryker run each, and the tests each run uses. A
 * run over the whole core with every test that reaches it took hours on the 2-core bench machine
 * (one file, `query.ts`, 144 mutants, 36 minutes, most of it loading HTTP and CLI suites that
 * reach the file only through the gateway); one folder against the tests next to it takes
 * minutes. The score a folder gets is therefore the score of its own tests: a mutant only a
 * far-away suite kills counts as a survivor, which is the gap this measure is meant to show.
 */

/**
 * @typedef {object} MutationFolder
 * @property {string[]} mutate  Stryker `mutate` globs.
 * @property {string[]} tests   Vitest `include` globs: the tests that run against the mutants.
 * @property {number | undefined} goal  The score (percent) the folder is held to; guard's is measured, not held to one.
 */

const NOT_TESTS = ['!src/**/*.test.ts', '!src/**/testing/**'];

/** @type {Readonly<Record<string, MutationFolder>>} */
export const MUTATION_FOLDERS = Object.freeze({
  protocol: {
    mutate: ['src/protocol/**/*.ts', ...NOT_TESTS],
    tests: ['src/protocol/**/*.test.ts'],
    goal: 95,
  },
  gateway: {
    mutate: ['src/gateway/**/*.ts', ...NOT_TESTS],
    tests: ['src/gateway/**/*.test.ts'],
    goal: 95,
  },
  tracking: {
    mutate: ['src/tracking/**/*.ts', ...NOT_TESTS],
    tests: ['src/tracking/**/*.test.ts'],
    goal: 90,
  },
  guard: {
    mutate: ['src/guard/**/*.ts', ...NOT_TESTS],
    tests: ['src/guard/**/*.test.ts'],
    goal: undefined,
  },
});

/**
 * The folder a run measures, from `WXTRACK_MUTATION_FOLDER`.
 * @param {string | undefined} name
 * @returns {MutationFolder}
 */
export function mutationFolder(name) {
  const folder = name === undefined ? undefined : MUTATION_FOLDERS[name];
  if (folder === undefined) {
    throw new Error(
      `WXTRACK_MUTATION_FOLDER is ${JSON.stringify(name)}: one of ${Object.keys(MUTATION_FOLDERS).join(', ')}` +
        ' (npm run mutation -- FOLDER sets it)',
    );
  }
  return folder;
}
