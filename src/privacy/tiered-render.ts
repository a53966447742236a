/**
 * @module
 * One render function for both readers, whichever source serves the reply (render on read, the
 * reply view, pull mode): the owner's tier is the plain render, the stranger's the same render with
 * the carrier's masking. A carrier that turned masking off serves everyone the full reply. Pure.
 */
import { serializeOrderInfo, type Cell } from '../protocol/order-info.js';
import type { ReplyTier } from '../reply/reply-source.js';
import type { StoredEvent } from '../tracking/event.js';
import { renderWaybill, type RenderOptions, type WaybillView } from '../tracking/render.js';
import { strangerMasking } from './draw-trace.js';
import type { PrivacyRules } from './privacy-rules.js';

/** Whether the two tiers of a carrier's replies can differ at all. */
export const tiersDiffer = (rules: PrivacyRules): boolean => rules.mask;

/** A waybill's reply as a reader of `tier` may see it. */
export function renderForTier(
  events: readonly StoredEvent[],
  options: Omit<RenderOptions, 'privacy'>,
  tier: ReplyTier,
  rules: PrivacyRules,
): WaybillView {
  const masking = tier === 'masked' ? strangerMasking(rules, events) : undefined;
  return renderWaybill(events, masking === undefined ? options : { ...options, privacy: masking });
}

/** What a render reads of a stored waybill: its events and the attributes the API set. */
export interface TierRenderInput {
  readonly events: readonly StoredEvent[];
  readonly attributes: { readonly eta: string | undefined; readonly cells: readonly Cell[] | undefined };
}

/** The reply JSON of a stored waybill for a reader of `tier`, API attributes winning. */
export function renderTierJson(
  input: TierRenderInput,
  options: Omit<RenderOptions, 'privacy' | 'overrides'>,
  tier: ReplyTier,
  rules: PrivacyRules,
): string {
  const { eta, cells } = input.attributes;
  const overrides =
    eta === undefined && cells === undefined
      ? undefined
      : { ...(eta !== undefined ? { eta } : {}), ...(cells !== undefined ? { cells } : {}) };
  return serializeOrderInfo(renderForTier(input.events, { ...options, overrides }, tier, rules).info);
}
