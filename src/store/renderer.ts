/**
 * @module
 * How a store turns a waybill's events into the reply it keeps. Injected, so that the rendering
 * policy (time zone, per-carrier options) stays in the tracking domain and every backend renders
 * alike.
 */
import { serializeOrderInfo } from '../protocol/order-info.js';
import type { StoredEvent } from '../tracking/event.js';
import { renderWaybill, type RenderOptions } from '../tracking/render.js';

export interface RenderedReply {
  /** Script-safe OrderInfo JSON. */
  readonly json: string;
  readonly status: number;
  readonly lastEventAt: number;
}

export type Renderer = (carrier: string, events: readonly StoredEvent[]) => RenderedReply;

/** A renderer that looks up each carrier's time zone. */
export function makeRenderer(timeZoneOf: (carrier: string) => string): Renderer {
  return makeCarrierRenderer((carrier) => ({ timeZone: timeZoneOf(carrier) }));
}

/** A renderer that looks up each carrier's full options (zone, trace order, address format). */
export function makeCarrierRenderer(optionsOf: (carrier: string) => RenderOptions): Renderer {
  return (carrier, events) => {
    const view = renderWaybill(events, optionsOf(carrier));
    return {
      json: serializeOrderInfo(view.info),
      status: view.info.order_status,
      lastEventAt: view.lastEventAt,
    };
  };
}
