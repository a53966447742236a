/**
 * @module
 * The track route's per-client budget: at most `perMinute` queries per client address in each
 * fixed one-minute window. One instance serves both ways a query can arrive (the fast path and the
 * Fastify route), so a client cannot double its budget by changing how it spells a request.
 *
 * WeChat's page reads the reply as JSONP through a `<script>` tag, which cannot read a 429's body,
 * so a spent budget is answered like every other refusal: HTTP 200 and
 * `WxOrderCb({"err_code":42901,...})`, a constant body that echoes nothing (track-handler.ts).
 *
 * The address is the client's (client-address.ts): the socket's, or, from a proxy the operator
 * declared (`--trusted-proxy`), the one the proxy forwarded. Where the count lives is a
 * BudgetStore (rate-limit/): with `--redis`, one count per address shared by every worker and
 * node, so the budget is what an operator reads in `--rate-limit` (600 a minute per WeChat user's
 * address, wherever nginx sends the queries); without, this process's memory, which is the whole
 * budget too, since without Redis there is one serving process per node.
 *
 * The memory count is synchronous: on the hot path it costs a Map lookup, no promise. When the
 * shared store cannot count (Redis down), the query is counted in this process's memory meanwhile
 * (per-process limits, never none) and the failure is reported; the replay guard refuses those
 * queries anyway (50001) while its Redis is down.
 */
import type { Clock } from '../clock/clock.js';
import type { BudgetStore } from '../rate-limit/budget-store.js';
import { MemoryBudgetStore } from '../rate-limit/memory/memory-budget-store.js';

export const BUDGET_WINDOW_MS = 60_000;

/** `undefined`: within budget. A number: spent; the seconds until the window turns. */
export type BudgetVerdict = number | undefined;

export interface AddressBudget {
  /** Synchronous with the memory store; a promise with a shared one. */
  take(address: string): BudgetVerdict | Promise<BudgetVerdict>;
}

export interface AddressBudgetOptions {
  /** Where the counts live; this process's memory when left out. */
  readonly store?: BudgetStore;
  /** Told when the store could not count (the query was counted in memory instead). */
  readonly onStoreError?: (error: unknown) => void;
}

export function createAddressBudget(
  perMinute: number,
  clock: Clock,
  options: AddressBudgetOptions = {},
): AddressBudget {
  const store = options.store ?? new MemoryBudgetStore();
  const fallback = options.store === undefined ? undefined : new MemoryBudgetStore();
  const verdict = (used: number, windowStart: number, now: number): BudgetVerdict =>
    used <= perMinute ? undefined : Math.max(1, Math.ceil((windowStart + BUDGET_WINDOW_MS - now) / 1000));
  return {
    take(address) {
      const now = clock.now();
      const windowStart = now - (now % BUDGET_WINDOW_MS);
      const used = store.incr(address, windowStart, BUDGET_WINDOW_MS);
      if (typeof used === 'number') return verdict(used, windowStart, now);
      return used.then(
        (n) => verdict(n, windowStart, now),
        (error: unknown) => {
          options.onStoreError?.(error);
          return verdict(fallback!.incr(address, windowStart), windowStart, now);
        },
      );
    },
  };
}
