/**
 * @module
 * From a parcel's stored events to the OrderInfo WeChat shows: the one place that decides what a
 * reply contains. Stores call it whenever a waybill's events change and keep the result, so a
 * query costs one read.
 */
import type { Cell, OrderInfo, Trace } from '../protocol/order-info.js';
import type { StoredEvent } from './event.js';
import { compareEvents, deriveStatus, isSigned } from './status.js';
import { formatAcceptTimeFast } from './accept-time.js';

export interface RenderOptions {
  /** IANA zone `accept_time` is written in. */
  readonly timeZone: string;
  /** `oldest-first` (default, as in the spec's full example) or `newest-first`. */
  readonly traceOrder?: 'oldest-first' | 'newest-first';
  /** `label-description` (default) writes `label\ndescription`; `description` the description alone. */
  readonly address?: 'label-description' | 'description';
  /**
   * Set through the waybill API by the carrier's own system of record: when present they win
   * over whatever the events carry, until the carrier clears them.
   */
  readonly overrides?: { readonly eta?: string; readonly cells?: readonly Cell[] };
}

/** What a waybill looks like after folding its events. */
export interface WaybillView {
  readonly info: OrderInfo;
  /** Time of the newest event, epoch ms: retention works from it. */
  readonly lastEventAt: number;
}

/** Builds the OrderInfo for one waybill. `events` may be in any order; it is not modified. */
export function renderWaybill(events: readonly StoredEvent[], options: RenderOptions): WaybillView {
  const sorted = [...events].sort(compareEvents);
  const status = deriveStatus(sorted);
  let eta: string | undefined;
  let cells: readonly Cell[] = [];
  const traces: Trace[] = [];
  const withLabel = options.address !== 'description';
  for (const e of sorted) {
    if (e.eta !== undefined) eta = e.eta;
    if (e.cells !== undefined) cells = e.cells;
    traces.push({
      accept_time: formatAcceptTimeFast(e.time, options.timeZone),
      accept_address: withLabel ? e.label + '\n' + e.description : e.description,
      remark: e.location ?? '',
    });
  }
  if (options.overrides?.eta !== undefined) eta = options.overrides.eta;
  if (options.overrides?.cells !== undefined) cells = options.overrides.cells;
  // Status, ETA and cells were folded in time order above; only the display order flips.
  if (options.traceOrder === 'newest-first') traces.reverse();
  const info: OrderInfo = {
    err_code: 0,
    err_msg: 'ok',
    order_status: status,
    // The spec sends the ETA only while the parcel is not yet signed for.
    ...(eta !== undefined && !isSigned(status) ? { estimated_delivery_time: eta } : {}),
    traces,
    cells,
  };
  return { info, lastEventAt: sorted.length ? sorted[sorted.length - 1]!.time : 0 };
}
