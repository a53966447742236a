/**
 * @module
 * Scan events: the unit of tracking data. One JSON object a line (NDJSON) on the way in:
 *
 * ```json
 * {"waybill":"YT1234567890123","event_id":"scan-000123","time":"2026-07-04T20:47:03+08:00",
 *  "status":2,"label":"运输中","description":"快件离开【河北永清县】已发往【贵阳】",
 *  "location":"河北永清县","eta":"2026-07-08","cells":[{"key":"wxpay","value":"已支付"}]}
 * ```
 *
 * An event may also carry the customer's data as fields of its own (`recipient_name`,
 * `recipient_phone`, `pickup_code`), so that a stranger's masked reply need not guess at them.
 */
import { cellProblem, codePoints, type Cell, type OrderStatus } from '../protocol/order-info.js';
import { parsePersonalFields, type PersonalFields } from '../privacy/personal-fields.js';
import type { EventCodeMapping } from './event-codes.js';
import { isOrderStatus, STATUS_LABELS } from './status.js';
import { derivedEventId } from './derived-event-id.js';
import { isCalendarDate, parseIsoTime } from './time.js';

/**
 * A validated scan event, ready for a store. The optional personal fields (`recipient_name`,
 * `recipient_phone`, `pickup_code` on the way in) are drawn in full for the waybill's owners and
 * masked for everyone else (privacy/personal-fields.ts).
 */
export interface ScanEvent extends PersonalFields {
  readonly waybill: string;
  /** Unique per carrier: the same event sent twice is stored once. */
  readonly eventId: string;
  /** Epoch milliseconds. */
  readonly time: number;
  readonly status: OrderStatus;
  /** Status label shown before the description; defaults to the status name. */
  readonly label: string;
  readonly description: string;
  readonly location: string | undefined;
  /** Estimated delivery date, `YYYY-MM-DD`. */
  readonly eta: string | undefined;
  readonly cells: readonly Cell[] | undefined;
}

/** A scan event as a store keeps it. */
export interface StoredEvent extends ScanEvent {
  /** Ingest order, strictly increasing per store. */
  readonly seq: number;
  /** When the store accepted it, epoch milliseconds. */
  readonly ingestedAt: number;
}

/** Limits that keep one event from bloating a reply, in Unicode code points like the spec's. */
export const EVENT_LIMITS = Object.freeze({
  waybill: 64,
  eventId: 128,
  label: 32,
  description: 512,
  location: 128,
  cells: 8,
  cellStatus: 512,
});

export interface ParseEventOptions {
  /** IANA zone for times given without an offset. */
  readonly timeZone: string;
  /**
   * The carrier's registered cell keys (spec §落地页Cell信息). When given, a cell with any other
   * key is refused, naming the key: WeChat renders nothing for an unregistered one.
   */
  readonly cellKeys?: ReadonlySet<string>;
  /**
   * The carrier's registered waybill pattern. When given, an event whose waybill it does not
   * match is refused: WeChat queries only numbers that match (40402 otherwise), so such an event
   * could never be shown.
   */
  readonly waybill?: WaybillRule;
  /**
   * Carrier scan codes an event may carry instead of `status` (see event-codes.ts). Without a
   * mapping, an event with a `code` is rejected as an unknown code.
   */
  readonly codes?: EventCodeMapping;
}

/** A carrier's registered waybill pattern, as written and compiled (anchored at both ends). */
export interface WaybillRule {
  readonly pattern: string;
  readonly matcher: RegExp;
}

/** How the reason for a waybill outside the carrier's pattern starts, so callers can classify it. */
export const UNSERVABLE_REASON = 'waybill: does not match';

/** How the reason for an unknown carrier code starts, so callers can classify it. */
export const UNKNOWN_CODE_REASON = 'code: unknown event code';

export type ParseEventResult =
  { readonly ok: true; readonly event: ScanEvent } | { readonly ok: false; readonly reason: string };

const fail = (reason: string): ParseEventResult => ({ ok: false, reason });

/**
 * Characters no event text may hold: NUL and the other C0 controls, DEL and the C1 controls, and
 * UTF-16 surrogates without their pair. PostgreSQL refuses NUL in `text` and a lone surrogate
 * cannot be encoded as UTF-8, so without this check the same event was stored by SQLite and
 * failed its whole batch (500) on PostgreSQL; none of them can be shown in a reply either.
 * A description may hold a tab or a line break (multi-line text); no other field may.
 */
const BAD_TEXT =
  // eslint-disable-next-line no-control-regex -- finding control characters is the point
  /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const BAD_MULTILINE_TEXT =
  // eslint-disable-next-line no-control-regex -- as above
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why `value` (a field's text) holds a character no event may, or `undefined` when it is clean. */
export function textProblem(value: string, multiline = false): string | undefined {
  const found = (multiline ? BAD_MULTILINE_TEXT : BAD_TEXT).exec(value);
  if (!found) return undefined;
  const unit = found[0].charCodeAt(0);
  const hex = 'U+' + unit.toString(16).toUpperCase().padStart(4, '0');
  if (unit >= 0xd800 && unit <= 0xdfff) return `unpaired surrogate ${hex} at position ${found.index}`;
  return `control character ${hex} at position ${found.index}`;
}

function text(
  input: Record<string, unknown>,
  field: string,
  max: number,
  required: boolean,
  multiline = false,
): string | undefined | { error: string } {
  const v = input[field];
  if (v === undefined || v === null) return required ? { error: `${field}: required` } : undefined;
  if (typeof v !== 'string') return { error: `${field}: must be a string` };
  const trimmed = v.trim();
  const bad = textProblem(trimmed, multiline);
  if (bad !== undefined) return { error: `${field}: ${bad}` };
  if (trimmed.length === 0) return required ? { error: `${field}: required` } : undefined;
  // Lengths are code points, as the spec counts characters (an emoji is one, not two). A string
  // has no more code points than UTF-16 units, so only a long one needs counting.
  if (trimmed.length > max) {
    const length = codePoints(trimmed);
    if (length > max) return { error: `${field}: ${length} characters, at most ${max}` };
  }
  return trimmed;
}

const isError = (v: unknown): v is { error: string } => typeof v === 'object' && v !== null && 'error' in v;

/** Validates a `cells` value; a string is the reason it is refused. Shared with the waybill API. */
export function parseCells(v: unknown, cellKeys?: ReadonlySet<string>): readonly Cell[] | string {
  if (!Array.isArray(v)) return 'cells: must be an array';
  if (v.length > EVENT_LIMITS.cells) return `cells: ${v.length} cells, at most ${EVENT_LIMITS.cells}`;
  const out: Cell[] = [];
  for (let i = 0; i < v.length; i++) {
    const c: unknown = v[i];
    if (typeof c !== 'object' || c === null) return `cells[${i}]: must be an object`;
    const { key, value, status } = c as Record<string, unknown>;
    if (typeof key !== 'string') return `cells[${i}].key: must be a string`;
    if (typeof value !== 'string') return `cells[${i}].value: must be a string`;
    if (status !== undefined && typeof status !== 'string') return `cells[${i}].status: must be a string`;
    for (const [name, part] of [
      ['key', key],
      ['value', value],
      ['status', status],
    ] as const) {
      const bad = typeof part === 'string' ? textProblem(part) : undefined;
      if (bad !== undefined) return `cells[${i}].${name}: ${bad}`;
    }
    if (typeof status === 'string' && codePoints(status) > EVENT_LIMITS.cellStatus) {
      return `cells[${i}].status: at most ${EVENT_LIMITS.cellStatus} characters`;
    }
    const cell: Cell = status === undefined ? { key, value } : { key, value, status };
    const problem = cellProblem(cell);
    if (problem) return `cells[${i}].${problem}`;
    if (cellKeys && !cellKeys.has(key)) return `cells[${i}].key: "${key}" is not registered as a cell key`;
    out.push(cell);
  }
  return out;
}

/** What is wrong with a `status`: missing, or which value was given instead of 0 to 6. */
function statusProblem(value: unknown): string {
  if (value === undefined || value === null)
    return `status: required (or a carrier scan code in "code"); ${STATUS_VALUES}`;
  const shown = typeof value === 'string' ? `"${value.slice(0, 16)}" (a string)` : String(value).slice(0, 16);
  return `status: ${shown} is not an order status; ${STATUS_VALUES}`;
}

const STATUS_VALUES =
  'use an integer from 0 to 6 (0 待揽件, 1 已揽件, 2 运输中, 3 派送中, 4 已签收, 5 签收异常, 6 代签收)';

/** The description of a scan whose own is empty: its label, and its site when known (`到件：上海转运中心`). */
export function describeScan(label: string, location: string | undefined): string {
  return location === undefined ? label : `${label}：${location}`;
}

/**
 * Validates one decoded JSON value as a scan event. Reasons name the field at fault. Without an
 * `event_id`, the id is derived (derived-event-id.ts); without a description, it is the scan's
 * label and site ({@link describeScan}).
 */
export function parseScanEvent(input: unknown, options: ParseEventOptions): ParseEventResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('not a JSON object');
  const o = input as Record<string, unknown>;

  const waybill = text(o, 'waybill', EVENT_LIMITS.waybill, true);
  if (isError(waybill)) return fail(waybill.error);
  if (!/^[\x21-\x7e]+$/.test(waybill!)) return fail('waybill: printable ASCII only');
  if (options.waybill && !options.waybill.matcher.test(waybill!)) {
    return fail(
      `${UNSERVABLE_REASON} the carrier's waybill pattern ${options.waybill.pattern}, so WeChat would never be shown it`,
    );
  }
  // Absent (not empty): derived from what identifies the scan, once the rest is parsed.
  const eventId =
    o.event_id === undefined || o.event_id === null
      ? undefined
      : text(o, 'event_id', EVENT_LIMITS.eventId, true);
  if (isError(eventId)) return fail(eventId.error);

  if (typeof o.time !== 'string') return fail('time: required, an ISO 8601 string');
  const time = parseIsoTime(o.time.trim(), options.timeZone);
  if (time === undefined) return fail('time: not an ISO 8601 date-time');

  let status: OrderStatus;
  let codeLabel: string | undefined;
  let scanCode: string | undefined;
  if (o.code !== undefined && o.code !== null) {
    // Both at once would leave two sources of truth for the status: refuse rather than guess.
    if (o.status !== undefined && o.status !== null)
      return fail('code: give either status or code, not both');
    if (typeof o.code !== 'string' || o.code.trim() === '') return fail('code: must be a non-empty string');
    const code = o.code.trim();
    const bad = textProblem(code);
    if (bad !== undefined) return fail(`code: ${bad}`);
    const meaning = options.codes?.get(code);
    if (!meaning) return fail(`${UNKNOWN_CODE_REASON} "${code.slice(0, 32)}"`);
    status = meaning.status;
    codeLabel = meaning.label;
    scanCode = code;
  } else {
    if (!isOrderStatus(o.status)) return fail(statusProblem(o.status));
    status = o.status;
  }

  const label = text(o, 'label', EVENT_LIMITS.label, false);
  if (isError(label)) return fail(label.error);
  const location = text(o, 'location', EVENT_LIMITS.location, false);
  if (isError(location)) return fail(location.error);
  const shownLabel = label ?? codeLabel ?? STATUS_LABELS[status];
  // Exports leave the remark empty on many scans: say what the scan says, its label and site.
  const blank =
    o.description === undefined ||
    o.description === null ||
    (typeof o.description === 'string' && o.description.trim() === '');
  const description = blank
    ? describeScan(shownLabel, location)
    : text(o, 'description', EVENT_LIMITS.description, true, true);
  if (isError(description)) return fail(description.error);

  let eta: string | undefined;
  if (o.eta !== undefined && o.eta !== null) {
    if (typeof o.eta !== 'string' || !isCalendarDate(o.eta)) return fail('eta: must be a YYYY-MM-DD date');
    eta = o.eta;
  }
  let cells: readonly Cell[] | undefined;
  if (o.cells !== undefined && o.cells !== null) {
    const parsed = parseCells(o.cells, options.cellKeys);
    if (typeof parsed === 'string') return fail(parsed);
    cells = parsed;
  }
  const personal = parsePersonalFields(o);
  if (typeof personal === 'string') return fail(personal);

  return {
    ok: true,
    event: {
      waybill: waybill!,
      eventId: eventId ?? derivedEventId({ waybill: waybill!, time, code: scanCode, status, location }),
      time,
      status,
      label: shownLabel,
      description: description!,
      location,
      eta,
      cells,
      ...personal,
    },
  };
}
