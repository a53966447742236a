/**
 * @module
 * The two tiers of a store's replies, composed: the stranger's masked reply (with the owners, what
 * the reply view caches) in front, the owner's full reply rendered on read behind, and the choice
 * between them (tiered-reply-source.ts). Used by `serve` (with the view) and by an app built without
 * one (tests, embedding), so no path serves a store's reply without its tier.
 */
import { DEFAULT_PRIVACY, type PrivacyRules } from './privacy-rules.js';
import type { ReplySource } from '../reply/reply-source.js';
import type { Carrier } from '../carrier/carrier.js';
import { tieredReplySource } from './tiered-reply-source.js';

/** A carrier's privacy rules as they are now; masking with the built-in rules for an unknown one. */
export function privacyRulesFrom(current: () => readonly Carrier[]): (carrier: string) => PrivacyRules {
  return (id) => current().find((c) => c.id === id)?.privacy ?? DEFAULT_PRIVACY;
}

export interface StoreTiers {
  /** The stranger's replies with their owners (MaskedReplies, or the view in front of it). */
  readonly masked: ReplySource;
  /** The owner's full replies (render on read). */
  readonly full: ReplySource;
  readonly rulesOf: (carrier: string) => PrivacyRules;
  /** Key of the openid hash; absent: everyone is a stranger. */
  readonly ownerKey: string | undefined;
}

/** The reply source the query path reads: each reader's tier. */
export function storeTiers(t: StoreTiers): ReplySource {
  return tieredReplySource(
    {
      masked: (carrier, waybill) => t.masked.getReply(carrier, waybill, ''),
      full: (carrier, waybill) => t.full.getReply(carrier, waybill, ''),
    },
    { ownerKey: t.ownerKey, masks: (carrier) => t.rulesOf(carrier).mask },
  );
}
