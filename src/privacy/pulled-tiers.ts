/**
 * @module
 * The privacy tier of a pulled reply (pull mode): a waybill's owners get the full reply, everyone
 * else the masked one, both already rendered from one upstream fetch (pull/pulled-reply.ts).
 *
 * What a query costs beyond the pulled entry it reads anyway:
 * - a waybill whose trace masking left unchanged (no personal data found: nearly all), or a
 *   carrier with masking off: nothing, not even an owner lookup;
 * - otherwise one owners lookup ({@link OwnersLookup}: a map read on the node, a store read on a
 *   miss), and for a waybill that has owners one HMAC-SHA256 of the openid (about 1 µs);
 * - an owner: the same, then the full reply from the same entry: no further lookup and never an
 *   upstream call.
 *
 * Fail closed: without an owner key or an owners lookup (a gateway with no store to keep
 * bindings) every reader is a stranger; an owners lookup that fails (the store is down) serves the
 * masked reply, so pull mode keeps answering from its upstream and no stranger is shown more.
 */
import type { MaybePromise, Reply } from '../reply/reply-source.js';
import type { OwnersLookup } from './followed-owners.js';
import { hashOpenid } from './openid-hash.js';

/** A pulled reply in both tiers (`masked === full` when masking changed nothing). */
export interface BothTiers {
  readonly full: Reply;
  readonly masked: Reply;
}

export interface PulledTierOptions {
  /** Key of the openid hash; absent: every reader is a stranger. */
  readonly ownerKey: string | undefined;
  /** Where owners are read; absent: every reader is a stranger. */
  readonly owners: OwnersLookup | undefined;
  /** Whether the carrier masks for strangers now (its privacy rules in force). */
  readonly masks: (carrier: string) => boolean;
  /** Told when an owners lookup failed (the masked reply was served). */
  readonly onOwnersError?: (err: unknown) => void;
  /** The openid hash; {@link hashOpenid} unless a test counts calls. */
  readonly hash?: (key: string, carrier: string, openid: string) => string;
}

const isPromise = <T>(v: MaybePromise<T>): v is Promise<T> =>
  typeof (v as { then?: unknown } | undefined)?.then === 'function';

/** Picks `openid`'s tier of a pulled reply; synchronous when the reply and the owners are cached. */
export function pulledTier(
  tiers: MaybePromise<BothTiers | undefined>,
  carrier: string,
  waybill: string,
  openid: string,
  options: PulledTierOptions,
): MaybePromise<Reply | undefined> {
  const hash = options.hash ?? hashOpenid;
  const pick = (t: BothTiers | undefined): MaybePromise<Reply | undefined> => {
    if (t === undefined) return undefined;
    if (!options.masks(carrier)) return t.full;
    const { ownerKey, owners } = options;
    if (t.masked === t.full || ownerKey === undefined || owners === undefined) return t.masked;
    const decide = (list: readonly string[]): Reply =>
      list.length > 0 && list.includes(hash(ownerKey, carrier, openid)) ? t.full : t.masked;
    const failed = (err: unknown): Reply => {
      options.onOwnersError?.(err);
      return t.masked;
    };
    let list: MaybePromise<readonly string[]>;
    try {
      list = owners.ownersOf(carrier, waybill);
    } catch (err) {
      return failed(err);
    }
    return isPromise(list) ? list.then(decide, failed) : decide(list);
  };
  return isPromise(tiers) ? tiers.then(pick) : pick(tiers);
}
