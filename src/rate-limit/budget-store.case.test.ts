/**
 * @module
 * The contract every BudgetStore passes (memory and Redis). A backend's own test file calls
 * {@link budgetStoreContract} with a factory that opens two stores over one backend: for Redis two
 * connections (two nodes), for memory the same store twice (one process is all it serves).
 */
import { describe, expect, it } from 'vitest';
import type { BudgetStore } from './budget-store.js';

export interface BudgetHarness {
  /** Two stores over one backend, as two processes would hold them. */
  readonly stores: readonly [BudgetStore, BudgetStore];
  dispose(): Promise<void>;
}

const MINUTE = 60_000;
const W = 1_750_000_020 * 1000 - ((1_750_000_020 * 1000) % MINUTE);

export function budgetStoreContract(name: string, make: () => Promise<BudgetHarness>): void {
  describe(`BudgetStore contract: ${name}`, () => {
    const withStores = async (fn: (a: BudgetStore, b: BudgetStore) => Promise<void>) => {
      const h = await make();
      try {
        await fn(...h.stores);
      } finally {
        await h.dispose();
      }
    };

    it('counts each query of a key in a window, from 1', () =>
      withStores(async (a) => {
        expect([
          await a.incr('k1', W, MINUTE),
          await a.incr('k1', W, MINUTE),
          await a.incr('k1', W, MINUTE),
        ]).toEqual([1, 2, 3]);
      }));

    it('keeps keys apart', () =>
      withStores(async (a) => {
        await a.incr('k2', W, MINUTE);
        await a.incr('k2', W, MINUTE);
        expect(await a.incr('k3', W, MINUTE)).toBe(1);
      }));

    it('starts each window from 0', () =>
      withStores(async (a) => {
        await a.incr('k4', W, MINUTE);
        await a.incr('k4', W, MINUTE);
        expect(await a.incr('k4', W + MINUTE, MINUTE)).toBe(1);
        expect(await a.incr('k4', W + 2 * MINUTE, MINUTE)).toBe(1);
      }));

    it('shares one count between the processes over the same backend', () =>
      withStores(async (a, b) => {
        expect(await a.incr('k5', W, MINUTE)).toBe(1);
        expect(await b.incr('k5', W, MINUTE)).toBe(2);
        expect(await a.incr('k5', W, MINUTE)).toBe(3);
      }));

    it('counts every one of many concurrent queries exactly once', () =>
      withStores(async (a, b) => {
        const counts = await Promise.all(
          Array.from({ length: 100 }, (_, i) => (i % 2 ? a : b).incr('k6', W, MINUTE)),
        );
        expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
      }));
  });
}
