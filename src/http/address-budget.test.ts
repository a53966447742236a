import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import type { BudgetStore } from '../rate-limit/budget-store.js';
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

  it('counts in this process meanwhile when the shared store fails, and says so', async () => {
    const clock = new ManualClock(60_000 * 100);
    const failing: BudgetStore = {
      incr: () => Promise.reject(new Error('Connection is closed.')),
      close: async () => {},
    };
    const errors: unknown[] = [];
    const budget = createAddressBudget(2, clock, { store: failing, onStoreError: (e) => errors.push(e) });
    expect([await budget.take('a'), await budget.take('a'), await budget.take('a')]).toEqual([
      undefined,
      undefined,
      60,
    ]);
    expect(errors).toHaveLength(3);
  });
});
