/**
 * @module
 * Where the track route's per-client budget is counted: one method, as in fastify-rate-limit's
 * store (`incr`), so the count can live in this process (memory/) or be shared by every worker
 * and node (redis/). The window is fixed and named by its start, computed by the caller from the
 * gateway's clock, so every process that shares a store agrees on which minute a query counts in
 * (to within their clocks' difference) and a test moves time by hand.
 *
 * A count that cannot be taken (Redis down) rejects; the caller decides what that means
 * (address-budget.ts counts in memory meanwhile).
 */

export interface BudgetStore {
  /**
   * Counts one more query for `key` in the window that starts at `windowStart` (epoch ms) and
   * lasts `windowMs`; returns the count so far in that window, this one included. The count of a
   * window is forgotten once it has passed.
   */
  incr(key: string, windowStart: number, windowMs: number): number | Promise<number>;
  /** Releases the store's connection, if any. */
  close(): Promise<void>;
}
