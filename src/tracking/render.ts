/**
 * @module
 * From a parcel's stored events to the OrderInfo WeChat shows: the one place that decides what a
 * reply contains. Replies are rendered on read ({@link renderReplyJson}, called by
 * reply/render-on-read.ts), from the events and the attributes the carrier set, and cached by the
 * reply view; the store keeps no rendered reply.
 */
import { serializeOrderInfo, type Cell, type OrderInfo, type Trace } from '../protocol/order-info.js';
import { drawTrace, type StrangerMasking } from '../privacy/draw-trace.js';
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
  /**
   * A stranger's masking (privacy/): without it the reply is drawn in full, as its owners see it.
   * Appending declines it (tracking/append.ts), since a new event's personal fields are hidden in
   * the traces before it too.
   */
  readonly privacy?: StrangerMasking;
}

/** What a waybill looks like after folding its events. */
export interface WaybillView {
  readonly info: OrderInfo;
  /** Time of the newest event, epoch ms: retention works from it. */
  readonly lastEventAt: number;
}

/** Where a fold starts: nothing yet, for a render of all of a waybill's events. */
export interface FoldStart {
  readonly eta: string | undefined;
  readonly cells: readonly Cell[];
  readonly traces: readonly Trace[];
}

/**
 * Folds events, already in rule 1's order, onto `start` (rule 4 for eta and cells, API overrides
 * on top) and builds the OrderInfo for `status`.
 */
export function foldEvents(
  sorted: readonly StoredEvent[],
  status: OrderInfo['order_status'],
  start: FoldStart,
  options: RenderOptions,
): OrderInfo {
  let { eta, cells } = start;
  const traces: Trace[] = [...start.traces];
  const withLabel = options.address !== 'description';
  for (const e of sorted) {
    if (e.eta !== undefined) eta = e.eta;
    if (e.cells !== undefined) cells = e.cells;
    const text = drawTrace(e, withLabel, options.privacy);
    traces.push({
      accept_time: formatAcceptTimeFast(e.time, options.timeZone),
      accept_address: text.address,
      remark: text.remark,
    });
  }
  if (options.overrides?.eta !== undefined) eta = options.overrides.eta;
  if (options.overrides?.cells !== undefined) cells = options.overrides.cells;
  return {
    err_code: 0,
    err_msg: 'ok',
    order_status: status,
    // The spec sends the ETA only while the parcel is not yet signed for.
    ...(eta !== undefined && !isSigned(status) ? { estimated_delivery_time: eta } : {}),
    traces,
    cells,
  };
}

/** Builds the OrderInfo for one waybill. `events` may be in any order; it is not modified. */
export function renderWaybill(events: readonly StoredEvent[], options: RenderOptions): WaybillView {
  const sorted = [...events].sort(compareEvents);
  const info = foldEvents(sorted, deriveStatus(sorted), { eta: undefined, cells: [], traces: [] }, options);
  // Status, ETA and cells were folded in time order; only the display order flips.
  if (options.traceOrder === 'newest-first') (info.traces as Trace[]).reverse();
  return { info, lastEventAt: sorted.length ? sorted[sorted.length - 1]!.time : 0 };
}

/** What rendering reads of a waybill: its events and the attributes its carrier set through the API. */
export interface RenderInput {
  /** In any order (rendering sorts them by rule 1); the store reads them already sorted. */
  readonly events: readonly StoredEvent[];
  readonly attributes: { readonly eta: string | undefined; readonly cells: readonly Cell[] | undefined };
}

/**
 * The reply of a waybill as script-safe OrderInfo JSON: the status rules (status.ts: no going
 * back, signatures, same-time ties), rule 4's ETA and cells, and the API's attributes over the
 * events'. Pure; the same input gives the same bytes, whatever order the events arrived in,
 * because their order is (time, ingest seq).
 */
export function renderReplyJson(input: RenderInput, options: Omit<RenderOptions, 'overrides'>): string {
  const { eta, cells } = input.attributes;
  const overrides =
    eta === undefined && cells === undefined
      ? undefined
      : { ...(eta !== undefined ? { eta } : {}), ...(cells !== undefined ? { cells } : {}) };
  return serializeOrderInfo(renderWaybill(input.events, { ...options, overrides }).info);
}
