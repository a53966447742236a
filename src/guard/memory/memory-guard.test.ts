import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { computeSignature } from '../../protocol/signature.js';
import { guardCapacity } from '../guard-capacity.js';
import { soakGuard } from '../guard-soak.js';
import { replayGuardContract } from '../replay-guard.case.test.js';
import { MemoryReplayGuard, type GuardPressure } from './memory-guard.js';

replayGuardContract('memory', async (clock) => {
  const guard = new MemoryReplayGuard({ clock, maxEntries: 1000 });
  return { guard, advance: async (ms) => clock.advance(ms), dispose: () => guard.close() };
});

/** Real signatures: the guard only ever sees verified SHA-1 outputs. */
const sig = (i: number) => computeSignature('token', String(1_700_000_000 + i), String(i));
const T0 = 1_750_000_000_000;

describe('MemoryReplayGuard capacity', () => {
  it('refuses a new signature once maxEntries are live, and forgets none of them', () => {
    const clock = new ManualClock(T0);
    const guard = new MemoryReplayGuard({ clock, maxEntries: 4 });
    for (let i = 0; i < 4; i++) expect(guard.checkSync(sig(i), 'b', T0 + 10_000)).toBe('first');
    expect(guard.checkSync(sig(4), 'b', T0 + 10_000)).toBe('full');
    expect(guard.checkSync(sig(5), 'b', T0 + 10_000)).toBe('full');
    for (let i = 0; i < 4; i++) {
      expect(guard.checkSync(sig(i), 'other', T0 + 10_000)).toBe('conflict');
      expect(guard.checkSync(sig(i), 'b', T0 + 10_000)).toBe('repeat');
    }
    expect(guard.stats()).toEqual({
      entries: 4,
      capacity: 4,
      highWater: 4,
      refusals: 2,
      expiredEvictions: 0,
    });
  });

  it('takes new signatures again as soon as old ones expire, reclaiming their slots', () => {
    const clock = new ManualClock(T0);
    const guard = new MemoryReplayGuard({ clock, maxEntries: 4 });
    for (let i = 0; i < 4; i++) guard.checkSync(sig(i), 'b', T0 + 10_000);
    clock.advance(10_000);
    for (let i = 4; i < 8; i++) expect(guard.checkSync(sig(i), 'b', T0 + 20_000)).toBe('first');
    expect(guard.stats().entries).toBe(4);
    expect(guard.stats().refusals).toBe(0);
    expect(guard.stats().expiredEvictions).toBe(4);
    expect(guard.occupiedSlots).toBe(4);
  });

  it('tells an operator before it is full, and when it refuses', () => {
    const clock = new ManualClock(T0);
    const told: GuardPressure[] = [];
    const guard = new MemoryReplayGuard({ clock, maxEntries: 10, onPressure: (p) => told.push(p) });
    for (let i = 0; i < 7; i++) guard.checkSync(sig(i), 'b', T0 + 10_000);
    expect(told).toEqual([]);
    guard.checkSync(sig(7), 'b', T0 + 10_000);
    expect(told.map((p) => p.kind)).toEqual(['high']);
    expect(told[0]!.stats.entries).toBe(8);
    guard.checkSync(sig(8), 'b', T0 + 10_000);
    guard.checkSync(sig(9), 'b', T0 + 10_000);
    guard.checkSync(sig(10), 'b', T0 + 10_000);
    guard.checkSync(sig(11), 'b', T0 + 10_000);
    expect(told.map((p) => p.kind)).toEqual(['high', 'full']); // once a minute, not per refusal
    expect(told[1]!.stats.refusals).toBe(1);
  });

  it('refuses an expiry beyond what it can track instead of shortening it', () => {
    const guard = new MemoryReplayGuard({ clock: new ManualClock(T0), maxEntries: 10 });
    expect(() => guard.checkSync(sig(1), 'b', T0 + 400_000_000)).toThrow(RangeError);
  });

  it('tells bindings apart by a keyed hash, not by chance', () => {
    const guard = new MemoryReplayGuard({ clock: new ManualClock(T0), maxEntries: 100 });
    guard.checkSync(sig(1), 'YT1\noA\nyto', T0 + 1_000);
    for (const other of ['YT1\noA\nsf', 'YT2\noA\nyto', 'YT1\noB\nyto', '', 'YT1\noA\nyto ']) {
      expect(guard.checkSync(sig(1), other, T0 + 1_000)).toBe('conflict');
    }
    expect(guard.checkSync(sig(1), 'YT1\noA\nyto', T0 + 1_000)).toBe('repeat');
  });

  it('keeps many entries apart at its full load', () => {
    const guard = new MemoryReplayGuard({ clock: new ManualClock(T0), maxEntries: 10_000 });
    for (let i = 0; i < 10_000; i++) expect(guard.checkSync(sig(i), 'b' + i, T0 + 1_000)).toBe('first');
    for (let i = 0; i < 10_000; i += 7) expect(guard.checkSync(sig(i), 'b' + i, T0 + 1_000)).toBe('repeat');
    for (let i = 3; i < 10_000; i += 11) expect(guard.checkSync(sig(i), 'x', T0 + 1_000)).toBe('conflict');
    expect(guard.checkSync(sig(10_000), 'b', T0 + 1_000)).toBe('full');
  });

  it('rejects a non-positive bound', () => {
    expect(() => new MemoryReplayGuard({ clock: new ManualClock(0), maxEntries: 0 })).toThrow(RangeError);
  });
});

describe('MemoryReplayGuard soak (scaled: 1,000 q/s, 10 s window, 60 s of simulated time; full rate: npm run bench:guard)', () => {
  it('at its rated rate refuses nothing and never forgets a signature inside its window', () => {
    const clock = new ManualClock(T0);
    const windowSeconds = 10;
    const rate = 1_000;
    const maxEntries = guardCapacity({ windowSeconds, maxRate: rate });
    const guard = new MemoryReplayGuard({ clock, maxEntries });
    const result = soakGuard({
      check: (s, b, e) => guard.checkSync(s, b, e),
      clock,
      windowSeconds,
      rate,
      seconds: 60,
      replaysPerSecond: 100,
    });
    expect(result.firsts).toBe(60 * rate);
    expect(result).toMatchObject({ refused: 0, falseMatches: 0, replaysMissed: 0, refreshesLost: 0 });
    expect(result.replays).toBe(60 * 100);
    // It ran at exactly its capacity: the window's worth of entries, every one still live.
    expect(guard.stats().highWater).toBe(maxEntries);
    expect(guard.stats().refusals).toBe(0);
    expect(guard.checkSync('f'.repeat(40), 'b', clock.now() + 21_000)).toBe('full');
  });
});
