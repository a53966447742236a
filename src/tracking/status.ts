/**
 * @module
 * Order statuses and the rule that derives a parcel's status from its scan events.
 *
 * ## Transition rules
 *
 * Events arrive late and out of order (a handheld syncs hours after going offline), so the
 * status is derived from the whole history, never from "the last event received".
 *
 * 1. Events are ordered by event time, oldest first; events with the same time keep the order in
 *    which they were ingested.
 * 2. The parcel's status is the status of the last event in that order.
 * 3. A late-arriving event never moves a signed parcel (4 已签收, 6 代签收) back. An event older
 *    than the signature sorts before it (rule 1), so it cannot be last; an unsigned event stamped
 *    with the very same time as the signature but ingested after it would be last, so the status
 *    stays with the signature. Only an event strictly newer than the signature (a return, a
 *    re-delivery) can change the status. The traces still show every event in rule 1's order.
 * 4. `eta` and `cells` come from the last event (in rule 1's order) that carries them.
 *
 * Each rule has a test named after it in status.test.ts.
 */
import type { OrderStatus } from '../protocol/order-info.js';

/** The spec's status names (OrderStatus定义), the default trace labels. */
export const STATUS_LABELS: Readonly<Record<OrderStatus, string>> = Object.freeze({
  0: '待揽件',
  1: '已揽件',
  2: '运输中',
  3: '派送中',
  4: '已签收',
  5: '签收异常',
  6: '代签收',
});

export const isOrderStatus = (n: unknown): n is OrderStatus =>
  typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 6;

/** Signed for, by the addressee (4) or on their behalf (6): the parcel's journey is over. */
export const isSigned = (s: OrderStatus): boolean => s === 4 || s === 6;

/** What ordering needs to know about an event. */
export interface Ordered {
  /** Event time, epoch milliseconds. */
  readonly time: number;
  /** Ingest sequence: strictly increasing in the order the store accepted events. */
  readonly seq: number;
  readonly status: OrderStatus;
}

/** Rule 1: by event time, then by ingest order. */
export function compareEvents(a: Ordered, b: Ordered): number {
  return a.time !== b.time ? a.time - b.time : a.seq - b.seq;
}

/**
 * Rules 2 and 3: the status of the last event in order, unless a signature carries the same time
 * as that last event; 0 (待揽件) for a parcel with no events.
 */
export function deriveStatus(sorted: readonly Ordered[]): OrderStatus {
  const last = sorted[sorted.length - 1];
  if (!last) return 0;
  if (isSigned(last.status)) return last.status;
  for (let i = sorted.length - 2; i >= 0 && sorted[i]!.time === last.time; i--) {
    if (isSigned(sorted[i]!.status)) return sorted[i]!.status;
  }
  return last.status;
}
