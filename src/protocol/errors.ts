/**
 * @module
 * The one catalog of outcomes wxtrack reports. Codes are stable: couriers alert on them and
 * WeChat's reviewers read them, so an entry is never renumbered, only added.
 *
 * Protocol outcomes travel inside `WxOrderCb({...})` with HTTP 200, because a `<script>`-tag
 * (JSONP) client cannot read the body of a 4xx reply. Only a request we cannot answer as JSONP
 * at all (no usable callback) gets a plain HTTP error.
 */

/** One catalog entry: the wire code, a fixed message and the HTTP status it travels with. */
export interface CatalogEntry {
  /** `err_code` on the wire. */
  readonly code: number;
  /** `err_msg` on the wire. Fixed text: nothing from the request is ever interpolated. */
  readonly message: string;
  /** HTTP status of the reply that carries it. */
  readonly status: number;
}

const entry = (code: number, message: string, status = 200): CatalogEntry =>
  Object.freeze({ code, message, status });

export const Errors = Object.freeze({
  OK: entry(0, 'ok'),
  BAD_SIGNATURE: entry(40001, 'bad signature'),
  TIMESTAMP_WINDOW: entry(40002, 'timestamp outside the window'),
  REPLAYED: entry(40003, 'signature replayed for another orderid/openid'),
  BAD_PARAMETER: entry(40004, 'missing or malformed parameter'),
  UNKNOWN_CARRIER: entry(40005, 'unknown company_id or ambiguous waybill'),
  UNKNOWN_WAYBILL: entry(40401, 'unknown waybill'),
  PATTERN_MISMATCH: entry(40402, "orderid does not match the carrier's waybill pattern"),
  /** The client's query budget is spent (per address, per minute); retry later. */
  RATE_LIMITED: entry(42901, 'too many queries; retry later'),
  INTERNAL: entry(50001, 'internal error', 200),
  /** Not JSONP: the callback is missing, repeated or not allowed, so we answer plain HTTP 400. */
  BAD_CALLBACK: entry(40000, 'callback missing or not allowed', 400),
});

export type ErrorName = keyof typeof Errors;
