import { describe, expect, it } from 'vitest';
import { changePage, checkChangeLogKeep, checkChangesArgs, pruneThrough } from './change-log.js';

describe('change log rules', () => {
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

  it('cuts a page: next follows the last change, or stays when there is none', () => {
    const rows = [
      { seq: 5, carrier: 'yto', waybill: 'A' },
      { seq: 7, carrier: 'sf', waybill: 'B' },
    ];
    expect(changePage(4, rows, 0, 9)).toEqual({
      changes: [
        { carrier: 'yto', waybill: 'A' },
        { carrier: 'sf', waybill: 'B' },
      ],
      next: 7,
      gap: false,
    });
    expect(changePage(9, [], 3, 9)).toEqual({ changes: [], next: 9, gap: false });
  });

  it('reports a gap, with the newest seq as next, behind the pruned point or ahead of the log', () => {
    expect(changePage(2, [{ seq: 5, carrier: 'yto', waybill: 'A' }], 3, 9)).toEqual({
      changes: [],
      next: 9,
      gap: true,
    });
    expect(changePage(3, [], 3, 9).gap).toBe(false);
    expect(changePage(10, [], 0, 9)).toEqual({ changes: [], next: 9, gap: true });
  });

  it('checks its arguments', () => {
    expect(() => checkChangesArgs(0, 1)).not.toThrow();
    expect(() => checkChangesArgs(-1, 1)).toThrow(RangeError);
    expect(() => checkChangesArgs(Number.NaN, 1)).toThrow(RangeError);
    expect(() => checkChangesArgs(0, 0)).toThrow(RangeError);
    expect(() => checkChangeLogKeep(0)).toThrow(RangeError);
    expect(checkChangeLogKeep(5)).toBe(5);
  });
});
