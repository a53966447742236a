import { describe, expect, it } from 'vitest';
import { SlotTable, wrapSecond } from './slot-table.js';

/** Deterministic draws. */
function xorshift(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

describe('SlotTable', () => {
  it('maps hashes onto every slot, within bounds', () => {
    const t = new SlotTable(7);
    expect(t.home(0)).toBe(0);
    expect(t.home(0xffffffff)).toBe(6);
    const seen = new Set<number>();
    for (let h = 0; h < 2 ** 32; h += 2 ** 24) seen.add(t.home(h));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('agrees with a reference map through inserts, expiries and sweeps, runs wrapping the end', () => {
    const slots = 64;
    const t = new SlotTable(slots);
    const next = xorshift(12345);
    /** key "home:f0" → { b0, expiry second } */
    const model = new Map<string, { home: number; f0: number; b0: number; exp: number }>();
    let now = 1_000;
    for (let round = 0; round < 4_000; round++) {
      now += next() % 3 === 0 ? 1 : 0;
      // homes crowd the table's end, so runs wrap around to slot 0
      const home = slots - 1 - (next() % 12);
      const f0 = next() % 40;
      const key = `${home}:${f0}`;
      const slot = t.find(home, f0, 7);
      const known = model.get(key);
      const live = known !== undefined && known.exp > now;
      expect(slot >= 0 && t.isLive(slot, wrapSecond(now))).toBe(live);
      if (live) {
        expect(t.holds(slot, known.b0, 0xabcdef)).toBe(true);
        continue;
      }
      const entry = { home, f0, b0: next(), exp: now + 1 + (next() % 6) };
      if (slot >= 0) t.rewrite(slot, entry.b0, 0xabcdef, wrapSecond(entry.exp));
      else if (t.count < slots - 8)
        expect(t.insert(home, f0, 7, entry.b0, 0xabcdef, wrapSecond(entry.exp))).toBe(true);
      else continue;
      model.set(key, entry);
      t.sweep(3, wrapSecond(now));
      for (const [k, e] of model) if (e.exp <= now - 200) model.delete(k); // long swept by now
    }
    // A full sweep leaves exactly the live entries.
    t.sweep(slots, wrapSecond(now));
    const live = [...model.values()].filter((e) => e.exp > now);
    expect(t.count).toBe(live.length);
    for (const e of live) expect(t.find(e.home, e.f0, 7)).toBeGreaterThanOrEqual(0);
    expect(t.maxDistance()).toBeLessThan(slots);
  });

  it('refuses an insert whose run would overflow the distance field, changing nothing', () => {
    const t = new SlotTable(5000);
    for (let i = 0; i < 4095; i++) expect(t.insert(0, i, 0, 0, 0, 5)).toBe(true);
    expect(t.insert(0, 99_999, 0, 0, 0, 5)).toBe(false);
    expect(t.count).toBe(4095);
    expect(t.find(0, 4094, 0)).toBe(4094);
  });
});
