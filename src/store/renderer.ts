/**
 * @module
 * How a store turns a waybill's events into the reply it keeps. Injected, so that the rendering
 * policy (time zone, per-carrier options) stays in the tracking domain and every backend renders
 * alike.
 */
import {
  serializeOrderInfo,
  spliceTraces,
  splitReply,
  type Cell,
  type OrderInfo,
} from '../protocol/order-info.js';
import { withoutPersonal } from '../privacy/personal-fields.js';
import { appendNewTraces, appendToWaybill } from '../tracking/append.js';
import type { StoredEvent } from '../tracking/event.js';
import { renderWaybill, type RenderOptions, type WaybillView } from '../tracking/render.js';

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

/**
 * Renders a waybill's reply from all its events. A renderer may also offer `append`: the new
 * reply from the stored one plus events just inserted, or `undefined` when only a full render
 * is right (see tracking/append.ts). Stores use it to skip reading old events back.
 */
export type Renderer = ((
  carrier: string,
  events: readonly StoredEvent[],
  overrides?: RenderOverrides,
) => RenderedReply) & {
  readonly append?: (
    carrier: string,
    previousJson: string,
    previousLastEventAt: number,
    added: readonly StoredEvent[],
    overrides?: RenderOverrides,
  ) => RenderedReply | undefined;
};

/** A renderer that looks up each carrier's time zone. */
export function makeRenderer(timeZoneOf: (carrier: string) => string): Renderer {
  return makeCarrierRenderer((carrier) => ({ timeZone: timeZoneOf(carrier) }));
}

/**
 * A renderer that looks up each carrier's full options (zone, trace order, address format). The
 * reply it renders is every reader's, so it never shows an event's personal fields (privacy/):
 * only a source that knows the reader's tier draws them.
 */
export function makeCarrierRenderer(
  optionsOf: (carrier: string) => Omit<RenderOptions, 'overrides'>,
): Renderer {
  const reply = (view: WaybillView): RenderedReply => ({
    json: serializeOrderInfo(view.info),
    status: view.info.order_status,
    lastEventAt: view.lastEventAt,
  });
  const render = (carrier: string, events: readonly StoredEvent[], overrides?: RenderOverrides) =>
    reply(renderWaybill(withoutPersonal(events), { ...optionsOf(carrier), overrides }));
  return Object.assign(render, {
    append: (
      carrier: string,
      previousJson: string,
      previousLastEventAt: number,
      added: readonly StoredEvent[],
      overrides?: RenderOverrides,
    ) => {
      const options = { ...optionsOf(carrier), overrides };
      // The stored traces stay text: only the head is parsed, only the new traces written.
      const split = splitReply(previousJson);
      if (split) {
        const view = appendNewTraces(
          split.head,
          split.traceCount,
          previousLastEventAt,
          withoutPersonal(added),
          options,
        );
        return (
          view && {
            json: spliceTraces(serializeOrderInfo(view.info), split.tracesJson),
            status: view.info.order_status,
            lastEventAt: view.lastEventAt,
          }
        );
      }
      const previous = JSON.parse(previousJson) as OrderInfo;
      const view = appendToWaybill(previous, previousLastEventAt, withoutPersonal(added), options);
      return view && reply(view);
    },
  });
}
