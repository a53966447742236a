/**
 * @module
 * Reading WeChat's query string exactly, without the forgiving merges of general-purpose parsers.
 *
 * - Every parameter must appear once: a repeated `signature` or `callback` is an attack or a bug,
 *   never something to pick a winner from.
 * - The spec's own URL template reads `?orderid==xxx` (a typo WeChat shipped); we accept the extra
 *   `=` on `orderid` only.
 */
import { NONCE_RE, SIGNATURE_RE, TIMESTAMP_RE } from './signature.js';

/** Query parameters by name, each with every value it was given, in order. */
export type RawQuery = ReadonlyMap<string, readonly string[]>;

/** Decodes `application/x-www-form-urlencoded` text; `undefined` for broken percent-escapes. */
function decode(text: string): string | undefined {
  if (text.indexOf('%') < 0 && text.indexOf('+') < 0) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
}

/**
 * Splits a raw query string (without the leading `?`) into names and all of their values.
 * A pair that cannot be decoded is kept under its name with the value `\u0000`, which no
 * parameter rule accepts, so it surfaces as a malformed parameter rather than vanishing.
 */
export function parseRawQuery(search: string): RawQuery {
  const out = new Map<string, string[]>();
  if (search.length === 0) return out;
  for (const pair of search.split('&')) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf('=');
    const name = decode(eq < 0 ? pair : pair.slice(0, eq)) ?? '\u0000';
    let value = eq < 0 ? '' : pair.slice(eq + 1);
    if (name === 'orderid' && value.startsWith('=')) value = value.slice(1); // spec typo `orderid==`
    const decoded = decode(value) ?? '\u0000';
    const list = out.get(name);
    if (list) list.push(decoded);
    else out.set(name, [decoded]);
  }
  return out;
}

/** A WeChat track query whose every parameter is present once and well-formed. */
export interface TrackQuery {
  readonly orderid: string;
  readonly openid: string;
  readonly signature: string;
  readonly timestamp: string;
  readonly nonce: string;
  readonly callback: string;
  /** Which carrier an aggregator is asked about; absent for a single-carrier endpoint. */
  readonly companyId: string | undefined;
}

/** orderid: at most 64 printable ASCII characters; the carrier's pattern narrows it further. */
export const ORDERID_RE = /^[\x21-\x7e]{1,64}$/;
/** openid: WeChat's are 28 base64url characters; we allow some room. */
export const OPENID_RE = /^[A-Za-z0-9_-]{1,128}$/;
/** company_id: a short code such as `SF` or `YTO`. */
export const COMPANY_ID_RE = /^[A-Za-z0-9_-]{1,32}$/;

export type TrackQueryResult =
  | { readonly ok: true; readonly query: TrackQuery }
  /** No single allowed callback: the reply cannot be JSONP at all. */
  | { readonly ok: false; readonly problem: 'callback' }
  /** The callback is fine, but another parameter is missing, repeated or malformed. */
  | { readonly ok: false; readonly problem: 'parameter'; readonly callback: string };

const REQUIRED = ['orderid', 'openid', 'signature', 'timestamp', 'nonce'] as const;
const SHAPES: Record<(typeof REQUIRED)[number], RegExp> = {
  orderid: ORDERID_RE,
  openid: OPENID_RE,
  signature: SIGNATURE_RE,
  timestamp: TIMESTAMP_RE,
  nonce: NONCE_RE,
};

/**
 * Validates the shape of a track query. The callback is checked first, because every other
 * answer is written through it.
 */
export function readTrackQuery(raw: RawQuery, allowedCallbacks: ReadonlySet<string>): TrackQueryResult {
  const callbacks = raw.get('callback');
  if (!callbacks || callbacks.length !== 1 || !allowedCallbacks.has(callbacks[0]!)) {
    return { ok: false, problem: 'callback' };
  }
  const callback = callbacks[0]!;
  const values: Partial<Record<(typeof REQUIRED)[number], string>> = {};
  for (const name of REQUIRED) {
    const list = raw.get(name);
    if (!list || list.length !== 1 || !SHAPES[name].test(list[0]!)) {
      return { ok: false, problem: 'parameter', callback };
    }
    values[name] = list[0]!;
  }
  const company = raw.get('company_id');
  if (company && (company.length !== 1 || !COMPANY_ID_RE.test(company[0]!))) {
    return { ok: false, problem: 'parameter', callback };
  }
  return {
    ok: true,
    query: {
      orderid: values.orderid!,
      openid: values.openid!,
      signature: values.signature!,
      timestamp: values.timestamp!,
      nonce: values.nonce!,
      callback,
      companyId: company?.[0],
    },
  };
}
