/**
 * @module
 * How one event is drawn as a trace, for an owner (everything) or a stranger (masked). The owner's
 * drawing is the plain one, so an owner's reply is byte for byte the reply without privacy tiers.
 * A stranger's first replaces every exact value the waybill's personal fields hold, wherever its
 * text repeats them, then runs the free-text safety net (mask-text.ts), then draws the fields
 * masked. Pure.
 */
import type { StoredEvent } from '../tracking/event.js';
import { maskText } from './mask-text.js';
import { maskPersonal, personalSuffix, type PersonalFields } from './personal-fields.js';
import type { PrivacyRules } from './privacy-rules.js';

/** What a stranger's rendering of one waybill applies to every trace. */
export interface StrangerMasking {
  readonly rules: PrivacyRules;
  /** The waybill's personal field values and their masked forms, longest first. */
  readonly known: readonly (readonly [string, string])[];
}

export interface TraceText {
  readonly address: string;
  readonly remark: string;
}

/**
 * The masking of a stranger's view of a waybill, from all its events (a value one event carries
 * is hidden in every trace) and any values the waybill carries apart from its events (pull mode:
 * an upstream's waybill-level fields); `undefined` when the carrier turned masking off.
 */
export function strangerMasking(
  rules: PrivacyRules,
  events: readonly PersonalFields[],
): StrangerMasking | undefined {
  if (!rules.mask) return undefined;
  const known = new Map<string, string>();
  for (const e of events) {
    const masked = maskPersonal(e);
    const add = (value: string | undefined, hidden: string | undefined) => {
      // A one-character value would hide that character everywhere; the field itself is masked.
      if (value !== undefined && hidden !== undefined && [...value].length >= 2) known.set(value, hidden);
    };
    add(e.recipientName, masked.recipientName);
    add(e.recipientPhone, masked.recipientPhone);
    add(e.pickupCode, masked.pickupCode);
  }
  return {
    rules,
    known: [...known].sort((a, b) => b[0].length - a[0].length),
  };
}

function hideKnown(text: string, known: StrangerMasking['known']): string {
  let out = text;
  for (const [value, hidden] of known) if (out.includes(value)) out = out.split(value).join(hidden);
  return out;
}

/** One event's trace text: in full without `masking`, else as a stranger may see it. */
export function drawTrace(e: StoredEvent, withLabel: boolean, masking?: StrangerMasking): TraceText {
  const text = withLabel ? e.label + '\n' + e.description : e.description;
  if (masking === undefined) return { address: text + personalSuffix(e), remark: e.location ?? '' };
  const mask = (s: string) => maskText(hideKnown(s, masking.known), masking.rules);
  return {
    address: mask(text) + personalSuffix(maskPersonal(e)),
    remark: e.location === undefined ? '' : mask(e.location),
  };
}
