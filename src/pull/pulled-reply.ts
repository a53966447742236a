/**
 * @module
 * An upstream's traces rendered by the tracking core, exactly like a stored waybill's events:
 * the same fold (tracking/render.ts), the same script-safe serializer (protocol/order-info.ts).
 * Upstream text is data: control characters become spaces, every field is cut to the event
 * limits a pushed event must meet, times are read in the carrier's zone, and a trace whose time
 * is not a real instant is left out. What reaches WeChat is therefore only ever what a pushed
 * event could have produced.
 *
 * It folds with `foldEvents` rather than `renderReplyJson` for one reason: the waybill's status is
 * the upstream's own (its state field), not derived from the traces, which an upstream may send
 * without a status each.
 *
 * Traces carry the label of their own status when the upstream gives one for every trace;
 * otherwise the description alone, since a label guessed from the waybill's status would put
 * 已签收 in front of the pickup scan.
 *
 * Privacy tiers (privacy/): each fetch renders both replies from the same traces, the owner's in
 * full and the stranger's with the carrier's masking, so that an owner's query costs no upstream
 * call a stranger's would not. The stranger's is always rendered with masking on, whatever the
 * carrier's `mask` says when it is fetched: the tier is chosen per query from the rules in force,
 * so a reload that turns masking on hides data at once, never after the next refresh. When masking
 * changes nothing (no personal data found, the common case) both tiers are the same bytes, one
 * buffer, and the query path needs no owner lookup at all.
 *
 * Personal fields the upstream gives (the generic mapping's `recipientName`, `recipientPhone`,
 * `pickupCode`) are kept when they pass the checks a pushed event's fields pass; one that does not
 * is drawn for no one and still hidden (`****`) wherever a trace's text repeats it: fail closed.
 */
import { strangerMasking, type StrangerMasking } from '../privacy/draw-trace.js';
import { HIDDEN_CODE } from '../privacy/masks.js';
import { parsePersonalFields, type PersonalFields } from '../privacy/personal-fields.js';
import type { PrivacyRules } from '../privacy/privacy-rules.js';
import { codePoints, serializeOrderInfo, type OrderInfo, type OrderStatus } from '../protocol/order-info.js';
import type { Reply } from '../reply/reply-source.js';
import { EVENT_LIMITS, type StoredEvent } from '../tracking/event.js';
import { foldEvents, type RenderOptions } from '../tracking/render.js';
import { compareEvents, isSigned, STATUS_LABELS } from '../tracking/status.js';
import { isCalendarDate, parseIsoTime } from '../tracking/time.js';
import type { UpstreamAnswer, UpstreamPersonal } from './upstream-answer.js';

/** Traces kept at most (the newest): a reply WeChat can show, whatever the upstream sends. */
export const MAX_PULLED_TRACES = 200;

// C0 and C1 controls; U+2028/2029 are kept as text and escaped by the serializer.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]+/g;

/** Cleans upstream text and cuts it to `max` code points. */
export function cleanText(text: string, max: number): string {
  const flat = text.replace(CONTROLS, ' ').trim();
  if (flat.length <= max || codePoints(flat) <= max) return flat;
  return Array.from(flat).slice(0, max).join('').trimEnd();
}

export interface PulledReply {
  /** The owner's reply: the traces in full. */
  readonly reply: Reply;
  /** The stranger's reply: masked; the same object as `reply` when masking changed nothing. */
  readonly masked: Reply;
  readonly status: OrderStatus;
  readonly signed: boolean;
  /** Traces left out: not a real time, or past {@link MAX_PULLED_TRACES}. */
  readonly dropped: number;
}

const FIELD_NAMES = {
  recipientName: 'recipient_name',
  recipientPhone: 'recipient_phone',
  pickupCode: 'pickup_code',
} as const;

/** An upstream's personal fields checked one by one; the values refused go to `refused`. */
function checkPersonal(raw: UpstreamPersonal | undefined, refused: Set<string>): PersonalFields {
  if (raw === undefined) return {};
  const out: { -readonly [K in keyof PersonalFields]: PersonalFields[K] } = {};
  for (const key of Object.keys(FIELD_NAMES) as (keyof typeof FIELD_NAMES)[]) {
    const value = raw[key];
    if (value === undefined) continue;
    const checked = parsePersonalFields({ [FIELD_NAMES[key]]: value });
    if (typeof checked !== 'string' && checked[key] !== undefined) out[key] = checked[key];
    else if (typeof checked === 'string') {
      const flat = cleanText(value, 64);
      if ([...flat].length >= 2) refused.add(flat);
    }
  }
  return out;
}

export function renderPulled(
  answer: Extract<UpstreamAnswer, { kind: 'found' }>,
  options: Pick<RenderOptions, 'timeZone' | 'traceOrder' | 'address'>,
  privacy: PrivacyRules,
): PulledReply {
  const inOrder = answer.order === 'newest-first' ? [...answer.traces].reverse() : answer.traces;
  const events: StoredEvent[] = [];
  const refused = new Set<string>();
  const waybillPersonal = checkPersonal(answer.personal, refused);
  let dropped = 0;
  inOrder.forEach((t, i) => {
    const time = parseIsoTime(t.time.trim(), options.timeZone);
    const description = cleanText(t.text, EVENT_LIMITS.description);
    if (time === undefined || description === '') {
      dropped++;
      return;
    }
    const location = t.place === undefined ? '' : cleanText(t.place, EVENT_LIMITS.location);
    const status = t.status ?? answer.status;
    events.push({
      waybill: '',
      eventId: '',
      time,
      status,
      label: STATUS_LABELS[status],
      description,
      location: location === '' ? undefined : location,
      eta: undefined,
      cells: undefined,
      seq: i,
      ingestedAt: 0,
      ...checkPersonal(t.personal, refused),
    });
  });
  events.sort(compareEvents);
  if (events.length > MAX_PULLED_TRACES) {
    dropped += events.length - MAX_PULLED_TRACES;
    events.splice(0, events.length - MAX_PULLED_TRACES);
  }
  const labelled = answer.traces.every((t) => t.status !== undefined);
  const etaText = answer.eta?.trim().slice(0, 10);
  const eta = etaText !== undefined && isCalendarDate(etaText) ? etaText : undefined;
  const render = (masking: StrangerMasking | undefined): Buffer => {
    const info: OrderInfo = foldEvents(
      events,
      answer.status,
      { eta, cells: [], traces: [] },
      {
        timeZone: options.timeZone,
        address: labelled ? (options.address ?? 'label-description') : 'description',
        ...(masking === undefined ? {} : { privacy: masking }),
      },
    );
    if (options.traceOrder === 'newest-first') (info.traces as unknown[]).reverse();
    return Buffer.from(serializeOrderInfo(info), 'utf8');
  };
  const json = render(undefined);
  const masking = strangerMasking({ ...privacy, mask: true }, [...events, waybillPersonal])!;
  const known = [...masking.known, ...[...refused].map((v) => [v, HIDDEN_CODE] as const)].sort(
    (a, b) => b[0].length - a[0].length,
  );
  const maskedJson = render({ rules: masking.rules, known });
  const reply: Reply = { json };
  return {
    reply,
    masked: maskedJson.equals(json) ? reply : { json: maskedJson },
    status: answer.status,
    signed: isSigned(answer.status),
    dropped,
  };
}
