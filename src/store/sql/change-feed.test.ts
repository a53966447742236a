import { describe, expect, it } from 'vitest';
import {
  changePage,
  checkChangeLogKeep,
  checkChangesArgs,
  newestMark,
  newTags,
  pruneThrough,
  type FeedState,
} from './change-feed.js';

const S = 'store-1';
const mark = (seq: number, tag = `t${seq}`, store = S) => ({ store, seq, tag });
const state = (over: Partial<FeedState> = {}): FeedState => ({
  storeId: S,
  prunedThrough: 0,
  prunedTag: '',
  newest: { seq: 9, tag: 't9' },
  tagAtMark: undefined,
  ...over,
});

describe('change feed rules', () => {
  it('prunes once per step, keeping the newest `keep` entries', () => {
    // keep 16: step 16. Entries 1..15 cross no multiple of 16; 16 does, but nothing is 16 behind.
    expect(pruneThrough(1, 15, 16)).toBeUndefined();
    expect(pruneThrough(16, 16, 16)).toBeUndefined();
    expect(pruneThrough(17, 31, 16)).toBeUndefined();
    expect(pruneThrough(30, 33, 16)).toBe(17);
    expect(pruneThrough(1, 100, 16)).toBe(84);
    // A large keep prunes every 1,024 entries, not every `keep`.
    expect(pruneThrough(200_000, 200_000, 100_000)).toBeUndefined();
    expect(pruneThrough(204_800, 204_800, 100_000)).toBe(104_800);
    expect(pruneThrough(1, 1, 1)).toBeUndefined();
    expect(pruneThrough(2, 2, 1)).toBe(1);
  });

  it('cuts a page at a proven mark: next follows the last change, or stays when there is none', () => {
    const rows = [
      { seq: 5, tag: 't5', carrier: 'yto', waybill: 'A' },
      { seq: 7, tag: 't7', carrier: 'sf', waybill: 'B' },
    ];
    expect(changePage(mark(4), rows, state({ tagAtMark: 't4' }))).toEqual({
      changes: [
        { carrier: 'yto', waybill: 'A' },
        { carrier: 'sf', waybill: 'B' },
      ],
      next: mark(7),
      gap: false,
    });
    expect(changePage(mark(9), [], state({ tagAtMark: 't9', prunedThrough: 3 }))).toEqual({
      changes: [],
      next: mark(9),
      gap: false,
    });
    // The empty log's mark, and the pruned point's (its tag kept when the entry was deleted).
    expect(changePage(mark(0, ''), [], state()).gap).toBe(false);
    expect(changePage(mark(3, 'p3'), [], state({ prunedThrough: 3, prunedTag: 'p3' })).gap).toBe(false);
  });

  it('answers a gap, with the newest mark as next, for any mark it cannot prove', () => {
    const gap = (after: ReturnType<typeof mark>, s: FeedState) => changePage(after, [], s);
    const newest = mark(9);
    // Another store, even at the same seq and tag.
    expect(gap(mark(4, 't4', 'store-2'), state({ tagAtMark: 't4' }))).toEqual({
      changes: [],
      next: newest,
      gap: true,
    });
    // The entry at that seq carries another tag (a restore drew the seq again), or is gone.
    expect(gap(mark(4), state({ tagAtMark: 'other' })).gap).toBe(true);
    expect(gap(mark(4), state({ tagAtMark: undefined })).gap).toBe(true);
    // Behind the pruned point; at it with another tag; past the end.
    expect(gap(mark(2), state({ prunedThrough: 3, prunedTag: 'p3', tagAtMark: 't2' })).gap).toBe(true);
    expect(gap(mark(3, 'x'), state({ prunedThrough: 3, prunedTag: 'p3' })).gap).toBe(true);
    expect(gap(mark(10), state()).gap).toBe(true);
    // A new reader's mark names no store.
    expect(gap(mark(0, '', ''), state()).gap).toBe(true);
  });

  it('names the newest entry, or the pruned point when the log holds none', () => {
    expect(newestMark(state())).toEqual(mark(9));
    expect(newestMark(state({ newest: undefined }))).toEqual(mark(0, ''));
    expect(newestMark(state({ newest: undefined, prunedThrough: 5, prunedTag: 'p5' }))).toEqual(
      mark(5, 'p5'),
    );
  });

  it('draws a distinct random tag for every entry', () => {
    const tags = newTags(1000);
    expect(tags).toHaveLength(1000);
    expect(new Set(tags).size).toBe(1000);
    for (const t of tags) expect(t).toMatch(/^[A-Za-z0-9_-]{12}$/);
  });

  it('checks its arguments', () => {
    expect(() => checkChangesArgs(mark(0, ''), 1)).not.toThrow();
    expect(() => checkChangesArgs(mark(-1), 1)).toThrow(RangeError);
    expect(() => checkChangesArgs(mark(Number.NaN), 1)).toThrow(RangeError);
    expect(() => checkChangesArgs(mark(0, ''), 0)).toThrow(RangeError);
    expect(() => checkChangesArgs(5 as never, 1)).toThrow(RangeError);
    expect(() => checkChangeLogKeep(0)).toThrow(RangeError);
    expect(checkChangeLogKeep(5)).toBe(5);
  });
});
