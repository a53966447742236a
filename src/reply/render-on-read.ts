/**
 * @module
 * The reply source that renders on read: a waybill's events and attributes, read in one statement
 * from the store ({@link WaybillReader.readWaybill}), rendered by the pure tracking core
 * ({@link renderReplyJson}). The store keeps no rendered reply, so a write appends events only;
 * this is what a reply-view miss costs instead, and what every query costs with `--view off`.
 * Measured by bench/track/miss-cost.mjs on 205,000 waybills × 8 events (2-core machine, shared,
 * load average about 20): read 91 µs and render 34 µs at p50, plus 48 µs to deflate the reply
 * into the view on a miss (34 µs at load 12.8 since the deflate keeps one zlib engine, against
 * 84 µs before in the same run: view/deflated-reply.ts). The previous design paid instead about 3.3 KB of reply rewritten per
 * event ingested.
 *
 * The carriers' render options (zone, trace order, address form) are read per render, so a reload
 * applies to the next reply rendered; a reply the view cached before the reload stays until its
 * waybill changes or the view is reset.
 */
import { DEFAULT_TRACE_OPTIONS } from '../carrier/carrier.js';
import type { CarrierSource } from '../carrier/carrier-source.js';
import type { WaybillReader, WaybillState } from '../store/roles.js';
import { renderReplyJson, type RenderOptions } from '../tracking/render.js';
import type { Reply, ReplySource } from './reply-source.js';

/** A carrier's reply layout. */
export type RenderOptionsOf = (carrier: string) => Omit<RenderOptions, 'overrides'>;

/** Every carrier in one zone, with the default layout (tests, tools). */
export const oneZone =
  (timeZone = 'Asia/Shanghai'): RenderOptionsOf =>
  () => ({ timeZone });

/** A carrier's reply layout as it is in `source` now; the first carrier's for an unknown id. */
export function renderOptionsFrom(source: CarrierSource): RenderOptionsOf {
  return (id) => {
    const carriers = source.current();
    const carrier = carriers.find((c) => c.id === id) ?? carriers[0];
    const trace = carrier?.trace ?? DEFAULT_TRACE_OPTIONS;
    return {
      timeZone: carrier?.timezone ?? 'Asia/Shanghai',
      traceOrder: trace.order,
      address: trace.address,
    };
  };
}

export class RenderOnRead implements ReplySource {
  readonly #reader: Pick<WaybillReader, 'readWaybill'>;
  readonly #optionsOf: RenderOptionsOf;

  constructor(reader: Pick<WaybillReader, 'readWaybill'>, optionsOf: RenderOptionsOf) {
    this.#reader = reader;
    this.#optionsOf = optionsOf;
  }

  /** The reply JSON of a waybill state already read (the waybill API shows it beside the events). */
  render(carrier: string, state: WaybillState): string {
    return renderReplyJson(state, this.#optionsOf(carrier));
  }

  async getReply(carrier: string, waybill: string): Promise<Reply | undefined> {
    const state = await this.#reader.readWaybill(carrier, waybill);
    return state && { json: Buffer.from(this.render(carrier, state)) };
  }
}
