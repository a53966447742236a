import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { createAddressBudget } from './address-budget.js';

describe('address budget', () => {
  it('allows perMinute queries per address per window, then says when the window turns', () => {
    const clock = new ManualClock(60_000 * 100 + 15_000);
    const budget = createAddressBudget(2, clock);
    expect([budget.take('a'), budget.take('a')]).toEqual([undefined, undefined]);
    expect(budget.take('a')).toBe(45);
    expect(budget.take('b')).toBeUndefined();
    clock.advance(44_500);
    expect(budget.take('a')).toBe(1);
    clock.advance(500);
    expect(budget.take('a')).toBeUndefined();
  });
});
