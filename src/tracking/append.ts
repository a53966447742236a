/**
 * @module
 * Rendering by appending: when new events are all at least as new as everything a waybill's
 * reply already shows, the new reply is the old one plus their traces, and reading the old events
 * back is unnecessary. Live pushes look like this (each batch brings the next scan of many
 * parcels), and reading a parcel's events back dominated their cost.
 *
 * Why the result equals {@link renderWaybill} over all events (status.ts rules):
 * - rule 1: new events have higher ingest seq and times no older than the last shown, so they
 *   sort after every old event, among themselves by (time, seq);
 * - rules 2-3: the old status is not a signature (else we decline), so no old event tied with
 *   the new last one is a signature, and the status follows from the new events alone;
 * - rule 4: the old reply shows the effective eta (unsigned, so not hidden) and cells; a new
 *   event carrying either replaces it, and API overrides still win.
 * In every other case it declines (`undefined`) and the caller renders in full, including any
 * render option it does not know: a new way of drawing traces must be taught here before
 * appending may apply to it, or appended traces would not match the ones before them. Pure.
 */
import type { OrderInfo } from '../protocol/order-info.js';
import type { StoredEvent } from './event.js';
import { foldEvents, type RenderOptions, type WaybillView } from './render.js';
import { compareEvents, deriveStatus, isSigned } from './status.js';

export function appendToWaybill(
  previous: OrderInfo,
  previousLastEventAt: number,
  added: readonly StoredEvent[],
  options: RenderOptions,
): WaybillView | undefined {
  return appendOnto(previous, previous.traces.length, previous.traces, previousLastEventAt, added, options);
}

/**
 * {@link appendToWaybill} for a caller that keeps the previous reply's traces as JSON text: it
 * passes only their count, gets back a reply whose traces are the new ones alone, and splices
 * the old text in front of them (order-info.ts `spliceTraces`). Re-parsing and re-writing every
 * stored trace was a third of the CPU of a time-ordered import.
 */
export function appendNewTraces(
  previous: Omit<OrderInfo, 'traces'>,
  previousTraceCount: number,
  previousLastEventAt: number,
  added: readonly StoredEvent[],
  options: RenderOptions,
): WaybillView | undefined {
  return appendOnto(previous, previousTraceCount, [], previousLastEventAt, added, options);
}

function appendOnto(
  previous: Omit<OrderInfo, 'traces'>,
  previousTraceCount: number,
  startTraces: OrderInfo['traces'],
  previousLastEventAt: number,
  added: readonly StoredEvent[],
  options: RenderOptions,
): WaybillView | undefined {
  if (added.length === 0 || previousTraceCount === 0 || isSigned(previous.order_status)) return undefined;
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined || key === 'timeZone' || key === 'overrides' || key === 'address') continue;
    // Newest-first replies grow at the front; only the default order is appended to.
    if (key === 'traceOrder' && value === 'oldest-first') continue;
    return undefined;
  }
  const sorted = [...added].sort(compareEvents);
  if (sorted[0]!.time < previousLastEventAt) return undefined;
  const info = foldEvents(
    sorted,
    deriveStatus(sorted),
    { eta: previous.estimated_delivery_time, cells: previous.cells, traces: startTraces },
    options,
  );
  return { info, lastEventAt: sorted[sorted.length - 1]!.time };
}
