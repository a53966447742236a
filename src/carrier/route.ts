/**
 * @module
 * Which carrier a query is about. The spec's `company_id` ("快递鸟使用") names it when one
 * endpoint serves several couriers; otherwise the waybill pattern decides.
 */
import type { Carrier } from './carrier.js';

export type RouteResult =
  | { readonly ok: true; readonly carrier: Carrier }
  /** Unknown company_id, or no or several carriers claim the orderid. */
  | { readonly ok: false; readonly problem: 'unknown-carrier' }
  /** The carrier is known, but the orderid is not one of its waybill numbers. */
  | { readonly ok: false; readonly problem: 'pattern-mismatch' };

/**
 * - With `company_id`, the carrier with that id, whose pattern must then match.
 * - Without it and with one carrier, that carrier, whose pattern must match.
 * - Without it and with several, the one carrier whose pattern matches; none or several is a
 *   refusal, so a parcel is never shown under the wrong courier's name.
 */
export function routeQuery(
  carriers: readonly Carrier[],
  companyId: string | undefined,
  orderid: string,
): RouteResult {
  let carrier: Carrier | undefined;
  if (companyId !== undefined) {
    carrier = carriers.find((c) => c.id === companyId);
    if (!carrier) return { ok: false, problem: 'unknown-carrier' };
  } else if (carriers.length === 1) {
    carrier = carriers[0]!;
  } else {
    const claiming = carriers.filter((c) => c.waybillMatcher.test(orderid));
    if (claiming.length !== 1) return { ok: false, problem: 'unknown-carrier' };
    return { ok: true, carrier: claiming[0]! };
  }
  return carrier.waybillMatcher.test(orderid)
    ? { ok: true, carrier }
    : { ok: false, problem: 'pattern-mismatch' };
}
