/**
 * @module
 * A waybill's reply as the gateway would render it on read, for tests that check what a write
 * did to WeChat's reply: the store keeps events only.
 */
import { oneZone, RenderOnRead, type RenderOptionsOf } from '../reply/render-on-read.js';
import type { WaybillReader } from '../store/roles.js';

/** The reply JSON bytes of a waybill rendered on read, or `undefined` when the store has no such waybill. */
export async function replyOf(
  store: Pick<WaybillReader, 'readWaybill'>,
  carrier: string,
  waybill: string,
  optionsOf: RenderOptionsOf = oneZone(),
): Promise<{ json: Buffer } | undefined> {
  return new RenderOnRead(store, optionsOf).getReply(carrier, waybill);
}
