import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { computeSignature, verifySignature } from './signature.js';

describe('computeSignature', () => {
  it("reproduces the spec's own example", () => {
    expect(computeSignature('1a2b3c456', '123456', '13578')).toBe('5eff852d33f84c33ef1c3a792d3ffb941d6b0261');
  });

  it('sorts the three values as strings, so argument order does not matter', () => {
    const a = computeSignature('tok', '1700000000', '42');
    expect(computeSignature('tok', '1700000000', '42')).toBe(a);
    // sha1 of the sorted join, written out by hand: "1700000000" < "42" < "tok"
    expect(a).toBe(computeSignature('1700000000', '42', 'tok'));
  });

  it("gives the spec's sha1 of Array.prototype.sort's order, for any three strings", () => {
    const text = fc.string({ unit: 'binary', maxLength: 12 });
    fc.assert(
      fc.property(text, text, text, (a, b, c) => {
        const spec = createHash('sha1').update([a, b, c].sort().join('')).digest('hex');
        expect(computeSignature(a, b, c)).toBe(spec);
      }),
      { numRuns: 300 },
    );
  });
});

describe('verifySignature', () => {
  const token = 'secret-token';
  const ts = '1700000000';
  const nonce = '2abc';
  // Computed inside each test, not while the file is collected: a signature module that throws
  // must fail tests, not the collection (which a mutation run would not count as a failure).
  let good = '';
  beforeEach(() => {
    good = computeSignature(token, ts, nonce);
  });

  it('accepts the signature its token produced', () => {
    expect(verifySignature([token], good, ts, nonce)).toEqual({ ok: true, tokenIndex: 0 });
  });

  it('reports which of several tokens matched (rotation)', () => {
    expect(verifySignature(['new-token', token], good, ts, nonce)).toEqual({ ok: true, tokenIndex: 1 });
  });

  it('rejects a signature made with another token', () => {
    expect(verifySignature(['other'], good, ts, nonce)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('shares its hash with the shifted split, which is why the timestamp window is checked first', () => {
    // (ts=1700000000, nonce=2abc) and (ts=17000000002, nonce=abc) join to the same string once
    // sorted. Both shapes are legal, so only the time window (17000000002 is the year 2508) and
    // the replay guard (keyed by the signature itself) stop the variant: see http/track-route.test.ts.
    expect(computeSignature(token, '17000000002', 'abc')).toBe(good);
  });

  it.each([
    ['uppercase hex', (g: string) => g.toUpperCase(), ts, nonce],
    ['39 characters', (g: string) => g.slice(1), ts, nonce],
    ['41 characters', (g: string) => g + '0', ts, nonce],
    ['non-digit timestamp', (g: string) => g, '17000x0000', nonce],
    ['signed timestamp', (g: string) => g, '-1700000000', nonce],
    ['empty timestamp', (g: string) => g, '', nonce],
    ['13-digit timestamp', (g: string) => g, '1700000000000', nonce],
    ['nonce with punctuation', (g: string) => g, ts, 'ab-c'],
    ['empty nonce', (g: string) => g, ts, ''],
    ['65-char nonce', (g: string) => g, ts, 'a'.repeat(65)],
  ])('rejects a malformed value (%s) before hashing', (_name, sig, t, n) => {
    expect(verifySignature([token], sig(good), t, n)).toEqual({ ok: false, reason: 'malformed' });
  });

  it('refuses a signature made with the empty token, or any token not in the list', () => {
    // An extra pass past the list's end would hash `undefined`, which joins as the empty token.
    expect(verifySignature([token], computeSignature('', ts, nonce), ts, nonce)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySignature(['a', 'b'], computeSignature('c', ts, nonce), ts, nonce)).toEqual({
      ok: false,
      reason: 'mismatch',
    });
  });

  it('never tries a token past the end of the list', () => {
    // One pass too many would hash `undefined` as the token: sortedJoin leaves it first.
    const pastTheEnd = createHash('sha1').update(`undefined${ts}${nonce}`).digest('hex');
    expect(verifySignature([token], pastTheEnd, ts, nonce)).toEqual({ ok: false, reason: 'mismatch' });
  });

  it('accepts nothing when no token is configured (fail closed)', () => {
    for (const t of ['', token]) {
      expect(verifySignature([], computeSignature(t, ts, nonce), ts, nonce)).toEqual({
        ok: false,
        reason: 'mismatch',
      });
    }
  });

  it('reports the first matching token when a token is listed twice', () => {
    expect(verifySignature([token, 'other', token], good, ts, nonce)).toEqual({ ok: true, tokenIndex: 0 });
  });
});
