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
 * The address is the socket's: behind a reverse proxy every query shares the proxy's address, so
 * rate-limit at the proxy there, or raise the budget (0 turns it off). Memory is bounded by the
 * addresses seen in one window: the map is dropped whole when the window turns.
 */
import type { Clock } from '../clock/clock.js';

const WINDOW_MS = 60_000;

/** `undefined`: within budget. A number: spent; the seconds until the window turns. */
export type BudgetVerdict = number | undefined;

export interface AddressBudget {
  take(address: string): BudgetVerdict;
}

export function createAddressBudget(perMinute: number, clock: Clock): AddressBudget {
  let windowStart = Math.floor(clock.now() / WINDOW_MS) * WINDOW_MS;
  let counts = new Map<string, number>();
  return {
    take(address) {
      const now = clock.now();
      if (now - windowStart >= WINDOW_MS) {
        windowStart = Math.floor(now / WINDOW_MS) * WINDOW_MS;
        counts = new Map();
      }
      const used = (counts.get(address) ?? 0) + 1;
      counts.set(address, used);
      return used <= perMinute ? undefined : Math.max(1, Math.ceil((windowStart + WINDOW_MS - now) / 1000));
    },
  };
}
