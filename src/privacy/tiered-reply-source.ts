/**
 * @module
 * The reply source that chooses a reader's tier (privacy tiers): owners get the full reply,
 * strangers the masked one, at most one more lookup for an owner than for a stranger.
 *
 * The masked reply is kept together with the waybill's owners (their openid hashes): the one
 * lookup every query makes already says whether the reader may be an owner. So:
 *
 * - a waybill nobody owns (nearly all of them) costs a stranger nothing more than before: no hash,
 *   no second lookup;
 * - a waybill with owners costs a stranger one HMAC-SHA256 of the openid (about 1 µs) and a
 *   comparison with the few hashes;
 * - an owner costs that plus one lookup of the full reply.
 *
 * A carrier with masking off has one reply: its queries go straight to the full one. Without an
 * owner key no openid can be an owner, so everyone gets the masked reply (fail closed).
 */
import type { MaybePromise, Reply, ReplySource } from '../reply/reply-source.js';
import { hashOpenid } from './openid-hash.js';

/** Where the two tiers come from. */
export interface TierSources {
  /** The masked reply with the owners ({@link Reply.owners}): the lookup every query makes. */
  masked(carrier: string, waybill: string): MaybePromise<Reply | undefined>;
  /** The full reply: an owner's one more lookup, and every query of a carrier without masking. */
  full(carrier: string, waybill: string): MaybePromise<Reply | undefined>;
}

export interface TierOptions {
  /** Key of the openid hash; absent: every reader is a stranger. */
  readonly ownerKey: string | undefined;
  /** Whether the carrier masks for strangers (its privacy rules); false: one reply for all. */
  readonly masks: (carrier: string) => boolean;
  /** The hash of an openid; {@link hashOpenid} with the owner key unless a test counts calls. */
  readonly hash?: (key: string, carrier: string, openid: string) => string;
}

const isPromise = <T>(v: MaybePromise<T>): v is Promise<T> =>
  typeof (v as { then?: unknown } | undefined)?.then === 'function';

export function tieredReplySource(sources: TierSources, options: TierOptions): ReplySource {
  const hash = options.hash ?? hashOpenid;
  const choose = (
    entry: Reply | undefined,
    carrier: string,
    waybill: string,
    openid: string,
  ): MaybePromise<Reply | undefined> => {
    if (entry === undefined) return undefined;
    const owners = entry.owners;
    if (owners === undefined || owners.length === 0 || options.ownerKey === undefined) return entry;
    const h = hash(options.ownerKey, carrier, openid);
    return owners.includes(h) ? sources.full(carrier, waybill) : entry;
  };
  return {
    getReply(carrier, waybill, openid) {
      if (!options.masks(carrier)) return sources.full(carrier, waybill);
      const entry = sources.masked(carrier, waybill);
      return isPromise(entry)
        ? entry.then((e) => choose(e, carrier, waybill, openid))
        : choose(entry, carrier, waybill, openid);
    },
  };
}
