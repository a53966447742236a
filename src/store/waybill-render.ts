/**
 * @module
 * The re-render step every store backend runs inside a write transaction, after its events and
 * attributes changed: which reply to keep, from the stored state plus the events just inserted,
 * or from all the waybill's events. One function for every backend, so they store byte-identical
 * replies for the same events.
 */
import type { Cell } from '../protocol/order-info.js';
import type { StoredEvent } from '../tracking/event.js';
import type { RenderedReply, Renderer, RenderOverrides } from './renderer.js';

/** What a store keeps about a waybill that rendering reads. */
export interface RenderState {
  readonly reply: string;
  readonly lastEventAt: number;
  /** Attribute overrides as stored: `eta`, and `cells` as JSON; null when unset. */
  readonly eta: string | null;
  readonly cells: string | null;
}

/** The attribute overrides a waybill's stored state sets, if any. */
export function overridesOf(state: RenderState | undefined): RenderOverrides | undefined {
  if (!state || (state.eta === null && state.cells === null)) return undefined;
  return {
    ...(state.eta !== null ? { eta: state.eta } : {}),
    ...(state.cells !== null ? { cells: JSON.parse(state.cells) as Cell[] } : {}),
  };
}

/**
 * The new reply when it can be had without reading the waybill's events back, else `undefined`.
 * `inserted` are the events this transaction just stored. A waybill with no stored state has no
 * other events (a waybill's events and its row are written and erased together), so it renders
 * from `inserted` alone; a known one extends its stored reply when the renderer can append.
 */
export function renderWithoutReading(
  renderer: Renderer,
  carrier: string,
  state: RenderState | undefined,
  inserted: readonly StoredEvent[] | undefined,
): RenderedReply | undefined {
  if (inserted === undefined) return undefined;
  if (state === undefined) return renderer(carrier, inserted, undefined);
  return renderer.append?.(carrier, state.reply, state.lastEventAt, inserted, overridesOf(state));
}

/** The new reply from all the waybill's events (oldest first, ties in ingest order). */
export function renderFromEvents(
  renderer: Renderer,
  carrier: string,
  state: RenderState | undefined,
  events: readonly StoredEvent[],
): RenderedReply {
  return renderer(carrier, events, overridesOf(state));
}
