import { describe, expect, it } from 'vitest';
import { countPerLength, DIGITS, isUnbounded, overlapExamples } from './pattern-language.js';

const nonZero = (counts: bigint[]) => counts.flatMap((c, length) => (c === 0n ? [] : [[length, c] as const]));

describe('countPerLength', () => {
  it('counts exactly how many strings of each length a pattern accepts', () => {
    expect(nonZero(countPerLength('YT\\d{13}|\\d{12}'))).toEqual([
      [12, 10n ** 12n],
      [15, 10n ** 13n],
    ]);
  });

  it('counts only the characters of the given alphabet', () => {
    expect(nonZero(countPerLength('[0-9A-Z]{2}', DIGITS))).toEqual([[2, 100n]]);
    // Printable ASCII only: a class reaching beyond it is clipped to the 94 printable characters.
    expect(nonZero(countPerLength('[^\\n]'))).toEqual([[1, 94n]]);
  });

  it('does not count an overlap between alternatives twice', () => {
    expect(nonZero(countPerLength('\\d{3}|1\\d{2}'))).toEqual([[3, 1000n]]);
  });

  it('stops at the longest orderid, 64', () => {
    const counts = countPerLength('\\d+');
    expect(counts).toHaveLength(65);
    expect(counts[64]).toBe(10n ** 64n);
  });
});

describe('isUnbounded', () => {
  it('tells repetition without an upper bound', () => {
    expect(isUnbounded('\\d+')).toBe(true);
    expect(isUnbounded('YT\\d{13,15}')).toBe(false);
  });
});

describe('overlapExamples', () => {
  it('finds numbers both patterns accept, shortest first', () => {
    expect(overlapExamples('\\d{12,15}', 'YT\\d{13}|\\d{12}', 2)).toEqual(['000000000000', '000000000001']);
  });

  it('is empty for disjoint patterns', () => {
    expect(overlapExamples('SF\\d{12}', 'YT\\d{13}')).toEqual([]);
    expect(overlapExamples('\\d{12}', '\\d{13}')).toEqual([]);
  });
});
