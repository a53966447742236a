import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { computeSignature } from '../../protocol/signature.js';
import { replayGuardContract } from '../replay-guard.case.test.js';
import { MemoryReplayGuard } from './memory-guard.js';

replayGuardContract('memory', async (clock) => {
  const guard = new MemoryReplayGuard({ clock, maxEntries: 1000 });
  return { guard, advance: async (ms) => clock.advance(ms), dispose: () => guard.close() };
});

/** Real signatures: the guard only ever sees verified SHA-1 outputs. */
const sig = (i: number) => computeSignature('token', String(1_700_000_000 + i), String(i));

describe('MemoryReplayGuard bounds', () => {
  it('never holds more than maxEntries, forgets the oldest first and counts each live one dropped', () => {
    const clock = new ManualClock(0);
    const guard = new MemoryReplayGuard({ clock, maxEntries: 4 });
    for (let i = 0; i < 10; i++) {
      guard.checkSync(sig(i), 'b', 1_000);
      expect(guard.size).toBeLessThanOrEqual(4);
    }
    expect(guard.evictions).toBe(10 - guard.size);
    expect(guard.checkSync(sig(0), 'other', 1_000)).toBe('first'); // dropped
    expect(guard.checkSync(sig(9), 'other', 1_000)).toBe('conflict'); // kept
  });

  it('does not count entries that had expired anyway as evictions', () => {
    const clock = new ManualClock(0);
    const guard = new MemoryReplayGuard({ clock, maxEntries: 4 });
    for (let i = 0; i < 4; i++) guard.checkSync(sig(i), 'b', 10);
    clock.advance(11);
    for (let i = 4; i < 12; i++) guard.checkSync(sig(i), 'b', 1_000);
    expect(guard.evictions).toBe(4); // sig(4..7) were live when wiped; sig(0..3) had expired
  });

  it('tells bindings apart by a keyed hash, not by chance', () => {
    const guard = new MemoryReplayGuard({ clock: new ManualClock(0), maxEntries: 100 });
    guard.checkSync(sig(1), 'YT1\noA\nyto', 1_000);
    for (const other of ['YT1\noA\nsf', 'YT2\noA\nyto', 'YT1\noB\nyto', '', 'YT1\noA\nyto ']) {
      expect(guard.checkSync(sig(1), other, 1_000)).toBe('conflict');
    }
    expect(guard.checkSync(sig(1), 'YT1\noA\nyto', 1_000)).toBe('repeat');
  });

  it('keeps many entries apart under load (probing past collisions)', () => {
    const guard = new MemoryReplayGuard({ clock: new ManualClock(0), maxEntries: 20_000 });
    for (let i = 0; i < 10_000; i++) expect(guard.checkSync(sig(i), 'b' + i, 1_000)).toBe('first');
    for (let i = 0; i < 10_000; i += 7) expect(guard.checkSync(sig(i), 'b' + i, 1_000)).toBe('repeat');
    for (let i = 3; i < 10_000; i += 11) expect(guard.checkSync(sig(i), 'x', 1_000)).toBe('conflict');
    expect(guard.evictions).toBe(0);
  });

  it('rejects a non-positive bound', () => {
    expect(() => new MemoryReplayGuard({ clock: new ManualClock(0), maxEntries: 0 })).toThrow(RangeError);
  });
});
