/**
 * @module
 * The gateway's one ReplySource when some carriers are served in pull mode: their queries go to
 * their upstream (pull-carrier.ts), every other carrier's to the store's source. With no store
 * carrier at all, `store` may be a source that refuses: a pull-only gateway needs no events.
 *
 * A pulled reply goes out in its reader's privacy tier (privacy/pulled-tiers.ts), exactly as a
 * stored one does: owners bound through the waybill API get it in full, everyone else masked.
 */
import { pulledTier, type PulledTierOptions } from '../privacy/pulled-tiers.js';
import type { MaybePromise, Reply, ReplySource } from '../reply/reply-source.js';
import type { PullCarrier } from './pull-carrier.js';

export function routeReplies(
  pull: ReadonlyMap<string, PullCarrier>,
  store: ReplySource,
  tiers: PulledTierOptions,
): ReplySource {
  if (pull.size === 0) return store;
  return {
    getReply(carrier: string, waybill: string, openid: string): MaybePromise<Reply | undefined> {
      const upstream = pull.get(carrier);
      return upstream
        ? pulledTier(upstream.getTiers(waybill), carrier, waybill, openid, tiers)
        : store.getReply(carrier, waybill, openid);
    },
  };
}

/** For a gateway whose every carrier pulls: a store carrier cannot exist, so this never answers. */
export const NO_STORE: ReplySource = Object.freeze({
  getReply(): never {
    throw new Error('no store is configured: every carrier is served from its upstream');
  },
});
