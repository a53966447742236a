/**
 * @module
 * How a store turns a waybill's events into the reply it keeps. Injected, so that the rendering
 * policy (time zone, per-carrier options) stays in the tracking domain and every backend renders
 * alike.
 */
import { serializeOrderInfo, type Cell } from '../protocol/order-info.js';
import type { StoredEvent } from '../tracking/event.js';
import { renderWaybill } from '../tracking/render.js';

export interface RenderedReply {
  /** Script-safe OrderInfo JSON. */
  readonly json: string;
  readonly status: number;
  readonly lastEventAt: number;
}

/** API-set attributes that override what the events say (see tracking/render.ts). */
export interface RenderOverrides {
  readonly eta?: string;
  readonly cells?: readonly Cell[];
}

export type Renderer = (
  carrier: string,
  events: readonly StoredEvent[],
  overrides?: RenderOverrides,
) => RenderedReply;

/** A renderer that looks up each carrier's time zone. */
export function makeRenderer(timeZoneOf: (carrier: string) => string): Renderer {
  return (carrier, events, overrides) => {
    const view = renderWaybill(events, { timeZone: timeZoneOf(carrier), overrides });
    return {
      json: serializeOrderInfo(view.info),
      status: view.info.order_status,
      lastEventAt: view.lastEventAt,
    };
  };
}
