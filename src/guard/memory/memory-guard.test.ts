import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { replayGuardContract } from '../replay-guard.case.test.js';
import { MemoryReplayGuard } from './memory-guard.js';

replayGuardContract('memory', async (clock) => {
  const guard = new MemoryReplayGuard({ clock, maxEntries: 1000 });
  return { guard, advance: async (ms) => clock.advance(ms), dispose: () => guard.close() };
});

describe('MemoryReplayGuard bounds', () => {
  it('never holds more than maxEntries, evicting the oldest and counting it', () => {
    const clock = new ManualClock(0);
    const guard = new MemoryReplayGuard({ clock, maxEntries: 3 });
    for (let i = 0; i < 5; i++) guard.checkSync(`s${i}`, 'b', 1_000);
    expect(guard.size).toBe(3);
    expect(guard.evictions).toBe(2);
    expect(guard.checkSync('s0', 'other', 1_000)).toBe('first'); // s0 was evicted
    expect(guard.checkSync('s4', 'other', 1_000)).toBe('conflict'); // s4 kept
  });

  it('sweeps expired entries as new ones arrive, without evicting live ones', () => {
    const clock = new ManualClock(0);
    const guard = new MemoryReplayGuard({ clock, maxEntries: 100 });
    for (let i = 0; i < 50; i++) guard.checkSync(`old${i}`, 'b', 10);
    clock.advance(11);
    for (let i = 0; i < 20; i++) guard.checkSync(`new${i}`, 'b', 1_000);
    expect(guard.size).toBe(20);
    expect(guard.evictions).toBe(0);
  });

  it('rejects a non-positive bound', () => {
    expect(() => new MemoryReplayGuard({ clock: new ManualClock(0), maxEntries: 0 })).toThrow(RangeError);
  });
});
