/**
 * @module
 * A carrier as the query path sees it: who it is, which tokens sign for it, which waybill numbers
 * are its own, and how its times are written.
 */

export interface Carrier {
  /** The `company_id` WeChat sends for it (aggregators); any short code for a single carrier. */
  readonly id: string;
  readonly name: string;
  /** Accepted WeChat tokens; the first is current, the rest verify during a rotation. */
  readonly tokens: readonly string[];
  /** The registered waybill regular expression, as registered (unanchored source). */
  readonly waybillPattern: string;
  /** The same, anchored at both ends and compiled once. */
  readonly waybillMatcher: RegExp;
  /** IANA zone for `accept_time` and for event times without an offset. */
  readonly timezone: string;
}

/** Compiles a registered pattern, anchored on both ends so `YT1` never matches inside `XYT12`. */
export function compileWaybillPattern(source: string): RegExp {
  return new RegExp('^(?:' + source + ')$');
}
