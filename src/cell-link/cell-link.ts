/**
 * @module
 * Verifying the link WeChat opens when a user taps a cell (spec §自定义cell跳转): the cell's
 * registered link with `orderid`, `openid`, `signature`, `timestamp` and `nonce` appended.
 *
 * For cells the spec writes the signature as `sha1(token+timestamp+nonce)`: the three strings
 * concatenated in that order. The query signature (spec §1) sorts them first; the two forms differ,
 * so the sorted form is offered only behind the explicit `signatureForm: 'sorted'` option, for a
 * deployment that finds WeChat signing cells like queries.
 *
 * The spec's signature covers the token, timestamp and nonce only, not `orderid` or `openid`: a
 * user holding one fresh link can rewrite those two and it still verifies. Treat the verified
 * orderid as a claim to check against your own records (is this openid allowed to pay for it?),
 * and keep the window short.
 *
 * A reply cell's `status` is read one way throughout wxtrack ({@link cellStatusLink}): a URL
 * parameter appended to the cell's registered link, never a page path of its own.
 *
 * Exported as `wxtrack/cell-link` for a mini-program's backend: it imports nothing but
 * `node:crypto`, so it runs without the gateway. Outcomes are return values; a failure names one
 * reason from a fixed union, never the caller's text. The digest comparison is constant-time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** Which way the three strings are joined before hashing. */
export type CellSignatureForm = 'concatenated' | 'sorted';

/** Why a link was refused. Stable: callers may switch on these. */
export type CellLinkReason =
  /** The text is not a link with a query string. */
  | 'malformed-link'
  /** One of orderid, openid, signature, timestamp, nonce is absent or empty. */
  | 'missing-parameter'
  /** One of them appears more than once. */
  | 'repeated-parameter'
  /** One has the wrong shape (signature not 40 hex, timestamp not digits…): nothing was hashed. */
  | 'malformed-parameter'
  /** Well-formed, but no given token produced the signature. */
  | 'bad-signature'
  /** The timestamp is older than the freshness window. */
  | 'expired'
  /** The timestamp is further in the future than the window allows. */
  | 'from-future';

export const CELL_LINK_REASONS: readonly CellLinkReason[] = Object.freeze([
  'malformed-link',
  'missing-parameter',
  'repeated-parameter',
  'malformed-parameter',
  'bad-signature',
  'expired',
  'from-future',
]);

export type CellLinkResult =
  | { readonly ok: true; readonly orderid: string; readonly openid: string; readonly timestamp: number }
  | { readonly ok: false; readonly reason: CellLinkReason };

export interface CellLinkOptions {
  /** The token registered with WeChat; several during a rotation (each is tried). */
  readonly token: string | readonly string[];
  /** Epoch milliseconds to judge freshness against; defaults to the system time. */
  readonly now?: number;
  /** How far the timestamp may be from `now`, either way, in seconds. Default 300. */
  readonly windowSeconds?: number;
  /** Default `concatenated`, as the spec writes it for cells. */
  readonly signatureForm?: CellSignatureForm;
}

/** The five parameters WeChat appends, as read from a link. */
export interface CellLinkParams {
  readonly orderid: string;
  readonly openid: string;
  readonly signature: string;
  readonly timestamp: string;
  readonly nonce: string;
}

export const CELL_LINK_DEFAULT_WINDOW_SECONDS = 300;

const NAMES = ['orderid', 'openid', 'signature', 'timestamp', 'nonce'] as const;
const SHAPES: Readonly<Record<(typeof NAMES)[number], RegExp>> = {
  orderid: /^[\x21-\x7e]{1,64}$/,
  openid: /^[A-Za-z0-9_-]{1,128}$/,
  signature: /^[0-9a-f]{40}$/,
  // Digits only, as for the query: `token+timestamp+nonce` joined bare is otherwise malleable.
  timestamp: /^[0-9]{1,12}$/,
  nonce: /^[A-Za-z0-9]{1,64}$/,
};

/**
 * Reads the five parameters from a link: a mini-program path (`pages/pay?…`), a full URL or a bare
 * query string. A fragment is ignored; other parameters (the cell's own `status`) are left alone.
 */
export function parseCellLink(
  link: string,
):
  | { readonly ok: true; readonly params: CellLinkParams }
  | { readonly ok: false; readonly reason: CellLinkReason } {
  if (typeof link !== 'string' || link.length > 8192) return { ok: false, reason: 'malformed-link' };
  const hash = link.indexOf('#');
  const text = hash < 0 ? link : link.slice(0, hash);
  const q = text.indexOf('?');
  const query = q < 0 ? (text.includes('=') ? text : undefined) : text.slice(q + 1);
  if (query === undefined || query === '') return { ok: false, reason: 'malformed-link' };
  const found: Partial<Record<string, string>> = {};
  let repeated = false;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replace(/\+/g, ' '));
      value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1).replace(/\+/g, ' '));
    } catch {
      return { ok: false, reason: 'malformed-link' };
    }
    if (!(NAMES as readonly string[]).includes(name)) continue;
    if (found[name] !== undefined) repeated = true;
    found[name] = value;
  }
  if (repeated) return { ok: false, reason: 'repeated-parameter' };
  for (const name of NAMES) if (!found[name]) return { ok: false, reason: 'missing-parameter' };
  for (const name of NAMES) {
    if (!SHAPES[name].test(found[name]!)) return { ok: false, reason: 'malformed-parameter' };
  }
  return {
    ok: true,
    params: {
      orderid: found.orderid!,
      openid: found.openid!,
      signature: found.signature!,
      timestamp: found.timestamp!,
      nonce: found.nonce!,
    },
  };
}

/** The cell signature, lowercase hex: `sha1(token+timestamp+nonce)`, or sorted when asked. */
export function cellLinkSignature(
  token: string,
  timestamp: string,
  nonce: string,
  form: CellSignatureForm = 'concatenated',
): string {
  const parts = form === 'sorted' ? [token, timestamp, nonce].sort() : [token, timestamp, nonce];
  return createHash('sha1').update(parts.join('')).digest('hex');
}

/** Parses a link, checks its signature against every token, then its freshness. */
export function verifyCellLink(link: string, options: CellLinkOptions): CellLinkResult {
  const parsed = parseCellLink(link);
  if (!parsed.ok) return parsed;
  const { params } = parsed;
  const tokens = typeof options.token === 'string' ? [options.token] : options.token;
  const given = Buffer.from(params.signature, 'hex');
  let matched = false;
  // Every token is tried, so the time taken does not tell which one matched.
  for (const token of tokens) {
    if (token.length === 0) continue;
    const expected = Buffer.from(
      cellLinkSignature(token, params.timestamp, params.nonce, options.signatureForm),
      'hex',
    );
    if (timingSafeEqual(expected, given)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'bad-signature' };
  const window = options.windowSeconds ?? CELL_LINK_DEFAULT_WINDOW_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  const ts = Number(params.timestamp);
  if (ts < nowSeconds - window) return { ok: false, reason: 'expired' };
  if (ts > nowSeconds + window) return { ok: false, reason: 'from-future' };
  return { ok: true, orderid: params.orderid, openid: params.openid, timestamp: ts };
}

/**
 * Appends the five parameters to a cell's link as WeChat does (the spec's example order:
 * timestamp, nonce, signature, orderid, openid); for tests and the preview page.
 */
export function appendCellParams(
  link: string,
  input: {
    readonly token: string;
    readonly orderid: string;
    readonly openid: string;
    readonly timestamp: string;
    readonly nonce: string;
    readonly signatureForm?: CellSignatureForm;
  },
): string {
  const params = new URLSearchParams({
    timestamp: input.timestamp,
    nonce: input.nonce,
    signature: cellLinkSignature(input.token, input.timestamp, input.nonce, input.signatureForm),
    orderid: input.orderid,
    openid: input.openid,
  });
  return link + (link.includes('?') ? '&' : '?') + params.toString();
}

/**
 * The link a tap on a reply cell opens before WeChat adds its five parameters, as wxtrack reads
 * the spec. The field table says of a cell's `status`: "url参数,快递公司自定义,用于点击Cell时拼接在Url后外跳"
 * (a courier-defined URL parameter, appended to the URL when the cell is tapped); the OrderInfo
 * example sets `"status": "pages/index/index"`, a page path. wxtrack follows the table: `status`
 * is query text (`state=unpaid`), appended to the registered link with `?` (or `&` when the link
 * has a query already); a leading `?` or `&` of its own is dropped, and an empty one adds nothing.
 *
 * `pages/pay/index` with `state=unpaid` opens `pages/pay/index?state=unpaid&timestamp=…`.
 *
 * Self-contained (no outer name), so the preview page runs this very function's source.
 */
export function cellStatusLink(link: string, status: string | undefined): string {
  const param = String(status ?? '')
    .trim()
    .replace(/^[?&]+/, '');
  if (param === '') return link;
  return link + (link.indexOf('?') < 0 ? '?' : '&') + param;
}

/**
 * Whether a cell's `status` repeats its registered link (`pages/pay/index`, `/pages/pay/index`,
 * `pages/pay/index?x=1`): a page path where a URL parameter belongs, which would open
 * `pages/pay/index?pages/pay/index&…`. Leading `/`, `?` and `&` are ignored on both sides.
 */
export function statusRepeatsLink(status: string | undefined, link: string): boolean {
  if (status === undefined) return false;
  const bare = (text: string) => text.trim().replace(/^[?&/]+/, '');
  const s = bare(status);
  const l = bare(link).split('?')[0]!;
  if (l === '' || s === '') return false;
  return s === l || s.startsWith(l + '?') || s.startsWith(l + '&');
}
