/**
 * @module
 * The refusal sampler: first of each kind always, a bounded number per window, and a count of
 * what was left out.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { refusalSampler } from './refusal-log.js';

describe('refusalSampler', () => {
  it('logs the first refusal of each kind, then at most perInterval per window', () => {
    const clock = new ManualClock(0);
    const gate = refusalSampler(clock, { intervalMs: 1000, perInterval: 2 });
    const a = Array.from({ length: 1000 }, () => gate(40001));
    expect(a.filter((x) => x !== undefined)).toEqual([0, 0]);
    // Another kind is not starved by the first.
    expect(gate(40002)).toBe(0);
  });

  it('reports what it left out on the next line logged', () => {
    const clock = new ManualClock(0);
    const gate = refusalSampler(clock, { intervalMs: 1000, perInterval: 1 });
    expect(gate('x')).toBe(0);
    for (let i = 0; i < 7; i++) expect(gate('x')).toBeUndefined();
    clock.advance(999);
    expect(gate('x')).toBeUndefined();
    clock.advance(1);
    expect(gate('x')).toBe(8);
    expect(gate('x')).toBeUndefined();
  });

  it('lines logged grow with windows, not with refusals', () => {
    const clock = new ManualClock(0);
    const gate = refusalSampler(clock, { intervalMs: 10_000, perInterval: 5 });
    let logged = 0;
    for (let i = 0; i < 100_000; i++) {
      if (gate(40001) !== undefined) logged++;
      clock.advance(1); // 100 s in all: 10 windows
    }
    expect(logged).toBe(50);
  });
});
