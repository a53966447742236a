// @ts-check
import { describe, expect, it } from 'vitest';
import { formatSummary, summarize } from './mutation-summary.mjs';

/** @param {string} status @param {number} line */
const mutant = (status, line) => ({
  status,
  mutatorName: 'EqualityOperator',
  replacement: 'a <= b',
  location: { start: { line, column: 3 } },
});

describe('summarize', () => {
  it('scores as Stryker does: detected over detected, survived and uncovered; ignored and errors left out', () => {
    const counts = summarize({
      files: {
        'src/a.ts': {
          mutants: [mutant('Killed', 1), mutant('Killed', 2), mutant('Timeout', 3), mutant('Survived', 4)],
        },
        'src/b.ts': {
          mutants: [
            mutant('NoCoverage', 5),
            mutant('Ignored', 6),
            mutant('CompileError', 7),
            mutant('Killed', 8),
          ],
        },
      },
    });
    expect(counts).toEqual({
      killed: 3,
      survived: 1,
      timeout: 1,
      noCoverage: 1,
      ignored: 1,
      errors: 1,
      score: 66.6,
      survivors: [
        'src/a.ts:4:3 EqualityOperator a <= b',
        'src/b.ts:5:3 EqualityOperator (no coverage) a <= b',
      ],
    });
  });

  it('has no score when nothing was scored', () => {
    expect(summarize({ files: {} }).score).toBeNaN();
  });
});

describe('formatSummary', () => {
  it('writes one Markdown row per folder, with a dash for a missing goal', () => {
    const row = { ...summarize({ files: { 'x.ts': { mutants: [mutant('Killed', 1)] } } }), folder: 'guard' };
    expect(
      formatSummary([
        { ...row, goal: undefined },
        { ...row, folder: 'gateway', goal: 95 },
      ])
        .split('\n')
        .slice(2),
    ).toEqual([
      '| guard | 1 | 0 | 0 | 0 | 0 | 100.0 % | – |',
      '| gateway | 1 | 0 | 0 | 0 | 0 | 100.0 % | 95 % |',
    ]);
  });
});
