/**
 * @module
 * The budget counted in this process: right for one serving process (config/gateway-config.ts refuses
 * `--workers` above 1 without Redis, so without Redis there is one process per node, and each
 * node of several counts its own share). Synchronous, so the hot path pays no promise: a Map
 * lookup and set per query. Memory is bounded by the keys seen in one window: the map is dropped
 * whole when the window turns.
 */
import type { BudgetStore } from '../budget-store.js';

export class MemoryBudgetStore implements BudgetStore {
  #windowStart = -Infinity;
  #counts = new Map<string, number>();

  incr(key: string, windowStart: number): number {
    // A late caller of an older window counts in the current one rather than reopen it.
    if (windowStart > this.#windowStart) {
      this.#windowStart = windowStart;
      this.#counts = new Map();
    }
    const used = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, used);
    return used;
  }

  /** Keys counted in the current window (for tests and sizing). */
  get size(): number {
    return this.#counts.size;
  }

  async close(): Promise<void> {
    this.#counts = new Map();
  }
}
