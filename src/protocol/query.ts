/**
 * @module
 * Reading WeChat's query string exactly, without the forgiving merges of general-purpose parsers.
 *
 * - Every parameter we read must appear once: a repeated `signature` or `callback` is an attack
 *   or a bug, never something to pick a winner from.
 * - The spec's own URL template reads `?orderid==xxx` (a typo WeChat shipped); we accept the extra
 *   `=` on `orderid` only.
 */
import { NONCE_RE, SIGNATURE_RE, TIMESTAMP_RE } from './signature.js';

/** Decodes `application/x-www-form-urlencoded` text; `undefined` for broken percent-escapes. */
function decode(text: string): string | undefined {
  // Stryker disable next-line ConditionalExpression,StringLiteral: a shortcut; decoding text without % or + gives it back unchanged
  if (text.indexOf('%') < 0 && text.indexOf('+') < 0) return text;
  // Stryker disable BlockStatement: an empty catch block returns undefined as well
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
  // Stryker restore BlockStatement
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

// Slots of the parameters we read; anything else in the query is ignored. A Map, not an object
// literal: a name such as `constructor` or `__proto__` must not find a slot on the prototype.
const SLOT: ReadonlyMap<string, number> = new Map([
  ['orderid', 0],
  ['openid', 1],
  ['signature', 2],
  ['timestamp', 3],
  ['nonce', 4],
  ['callback', 5],
  ['company_id', 6],
]);
const SHAPES: readonly RegExp[] = [ORDERID_RE, OPENID_RE, SIGNATURE_RE, TIMESTAMP_RE, NONCE_RE];
const REPEATED = 1;
const UNDECODABLE = 2;

/**
 * Reads a raw query string (without the `?`) as a track query, in one pass and without building
 * a map of every parameter (this runs on every query WeChat sends). The callback is judged first,
 * because every other answer is written through it.
 */
export function readTrackQuery(search: string, allowedCallbacks: ReadonlySet<string>): TrackQueryResult {
  // Stryker disable next-line ArrayDeclaration: an empty array reads undefined at every slot too; seven keep its shape fixed
  const values: (string | undefined)[] = [
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
    undefined,
  ];
  let flaws = 0;
  let flawedSlots = 0;
  // Stryker disable next-line EqualityOperator: the pass at start === length reads an empty pair, which is ignored
  for (let start = 0; start <= search.length;) {
    let end = search.indexOf('&', start);
    if (end < 0) end = search.length;
    // Stryker disable next-line ConditionalExpression,EqualityOperator: an empty pair's name is empty, which is no slot
    if (end > start) {
      const eq = search.indexOf('=', start);
      // Stryker disable next-line EqualityOperator: eq is never end (a & is there), and eq is 0 only when the name is empty
      const nameEnd = eq < 0 || eq > end ? end : eq;
      const name = decode(search.slice(start, nameEnd));
      // Stryker disable next-line ConditionalExpression: no slot is found for an undefined name either
      const slot = name === undefined ? undefined : SLOT.get(name);
      if (slot !== undefined) {
        // Stryker disable next-line ConditionalExpression: for a bare name, nameEnd + 1 slices an empty value too
        let valueStart = nameEnd === end ? end : nameEnd + 1;
        // The spec's own URL template reads `orderid==xxx`: one extra `=` on orderid is accepted.
        if (slot === 0 && search.charCodeAt(valueStart) === 61 /* = */) valueStart++;
        const value = decode(search.slice(valueStart, end));
        // Stryker disable next-line ConditionalExpression: a repeat after an undecodable copy is also flagged UNDECODABLE
        if (values[slot] !== undefined || (flawedSlots & (1 << slot)) !== 0) flaws |= REPEATED;
        if (value === undefined) flaws |= UNDECODABLE;
        if (value === undefined || values[slot] !== undefined) flawedSlots |= 1 << slot;
        values[slot] = value;
      }
    }
    start = end + 1;
  }

  const callback = values[5];
  // Stryker disable next-line ConditionalExpression: an undefined callback is not in the allowed set either
  if (callback === undefined || (flawedSlots & (1 << 5)) !== 0 || !allowedCallbacks.has(callback)) {
    return { ok: false, problem: 'callback' };
  }
  if (flaws !== 0) return { ok: false, problem: 'parameter', callback };
  for (let i = 0; i < SHAPES.length; i++) {
    const v = values[i];
    if (v === undefined || !SHAPES[i]!.test(v)) return { ok: false, problem: 'parameter', callback };
  }
  const companyId = values[6];
  // Stryker disable next-line ConditionalExpression: test(undefined) reads "undefined", a valid shape; the check only narrows the type
  if (companyId !== undefined && !COMPANY_ID_RE.test(companyId)) {
    return { ok: false, problem: 'parameter', callback };
  }
  return {
    ok: true,
    query: {
      orderid: values[0]!,
      openid: values[1]!,
      signature: values[2]!,
      timestamp: values[3]!,
      nonce: values[4]!,
      callback,
      companyId,
    },
  };
}
