import { describe, expect, it } from 'vitest';
import { budgetStoreContract } from '../budget-store.case.test.js';
import { MemoryBudgetStore } from './memory-budget-store.js';

budgetStoreContract('memory', async () => {
  const store = new MemoryBudgetStore();
  return { stores: [store, store], dispose: () => store.close() };
});

describe('MemoryBudgetStore', () => {
  it('answers at once (no promise) and holds only the current window', () => {
    const store = new MemoryBudgetStore();
    expect(store.incr('a', 60_000)).toBe(1);
    store.incr('b', 60_000);
    expect(store.size).toBe(2);
    expect(store.incr('a', 120_000)).toBe(1);
    expect(store.size).toBe(1);
    // a late caller of the window before counts in the current one
    expect(store.incr('a', 60_000)).toBe(2);
  });
});
