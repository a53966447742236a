import { describe, expect, it } from 'vitest';
import { unservedCarriers, unservedWarning } from './unserved-carriers.js';

describe('unserved carriers', () => {
  it('names the stored carriers no configured carrier serves, largest first', () => {
    const stored = new Map([
      ['default', 3000],
      ['YTO', 12],
      ['old', 5],
      ['empty', 0],
    ]);
    expect(unservedCarriers(stored, ['YTO', 'JT'])).toEqual([
      { carrier: 'default', waybills: 3000 },
      { carrier: 'old', waybills: 5 },
    ]);
    expect(unservedCarriers(stored, ['default', 'YTO', 'old'])).toEqual([]);
  });

  it('says how many waybills go dark and how to keep them', () => {
    expect(unservedWarning([])).toBeUndefined();
    expect(
      unservedWarning([
        { carrier: 'default', waybills: 3000 },
        { carrier: 'x', waybills: 1 },
      ]),
    ).toBe(
      'the store holds waybills for carriers no configured carrier serves: "default" (3,000 waybills), "x" (1 waybill); ' +
        'their queries get 40401. To serve them, give a configured carrier that id (e.g. "id": "default"), ' +
        'as the data is stored by carrier id',
    );
  });
});
