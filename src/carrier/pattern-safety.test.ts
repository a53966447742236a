import { describe, expect, it } from 'vitest';
import { checkWaybillPattern, PATTERN_LIMITS, stripOuterAnchors } from './pattern-safety.js';

const reason = (source: string) => {
  const r = checkWaybillPattern(source);
  return r.ok ? undefined : r.reason;
};

describe('checkWaybillPattern', () => {
  it('accepts the formats couriers register, anchored on both ends', () => {
    for (const p of [
      'YT\\d{13}',
      'SF\\d{12}|SF\\d{15}',
      '[A-Z]{2}\\d{9}CN',
      'JD[0-9A-Z]{11,13}(-\\d+-\\d+-?)?',
    ]) {
      expect(reason(p)).toBeUndefined();
    }
    const r = checkWaybillPattern('YT\\d{3}|JD\\d{3}');
    expect(r.ok && r.matcher.test('YT123')).toBe(true);
    expect(r.ok && r.matcher.test('XYT123')).toBe(false);
    expect(r.ok && r.matcher.test('JD1234')).toBe(false);
  });

  it('accepts a pattern written with its own ^ and $, and analyses it without them', () => {
    const r = checkWaybillPattern('^YT\\d{13}$');
    expect(r.ok).toBe(true);
    expect(r.ok && r.core).toBe('YT\\d{13}');
    expect(r.ok && r.matcher.test('YT1234567890123')).toBe(true);
  });

  it('refuses a pattern longer than 200 code points, counting code points', () => {
    expect(reason('a'.repeat(200))).toBeUndefined();
    expect(reason('a'.repeat(201))).toBe(`201 characters, at most ${PATTERN_LIMITS.maxLength}`);
    // 199 astral characters are 398 UTF-16 units but 199 code points.
    expect(reason('😀'.repeat(199))).toBeUndefined();
  });

  it.each(['(a+)+', '(a|a)*X', '(\\d|\\d\\d)+', '(\\w+\\s?)+', '\\d*\\d*\\d*X', '([A-Z]+)*\\d'])(
    'refuses %s, which can backtrack catastrophically',
    (p) => {
      expect(reason(p)).toMatch(/backtrack|proven safe/);
    },
  );

  it('refuses invalid syntax, lookarounds, word boundaries, backreferences and the empty match', () => {
    expect(reason('YT(\\d{13}')).toMatch(/^not a valid regular expression/);
    expect(reason('(?=YT)\\w{15}')).toMatch(/lookarounds/);
    expect(reason('YT\\b\\d{13}')).toMatch(/word boundaries/);
    expect(reason('(\\d)\\1{12}')).toMatch(/backreferences/);
    expect(reason('\\d*')).toBe('matches the empty string');
    expect(reason('')).toBe('empty');
  });
});

describe('stripOuterAnchors', () => {
  it('keeps an escaped dollar', () => {
    expect(stripOuterAnchors('^A\\$')).toBe('A\\$');
    expect(stripOuterAnchors('A\\\\$')).toBe('A\\\\');
  });
});
