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
 */
import { codePoints, serializeOrderInfo, type OrderInfo, type OrderStatus } from '../protocol/order-info.js';
import type { Reply } from '../reply/reply-source.js';
import { EVENT_LIMITS, type StoredEvent } from '../tracking/event.js';
import { foldEvents, type RenderOptions } from '../tracking/render.js';
import { compareEvents, isSigned, STATUS_LABELS } from '../tracking/status.js';
import { isCalendarDate, parseIsoTime } from '../tracking/time.js';
import type { UpstreamAnswer } from './upstream-answer.js';

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
  readonly reply: Reply;
  readonly status: OrderStatus;
  readonly signed: boolean;
  /** Traces left out: not a real time, or past {@link MAX_PULLED_TRACES}. */
  readonly dropped: number;
}

export function renderPulled(
  answer: Extract<UpstreamAnswer, { kind: 'found' }>,
  options: Pick<RenderOptions, 'timeZone' | 'traceOrder' | 'address'>,
): PulledReply {
  const inOrder = answer.order === 'newest-first' ? [...answer.traces].reverse() : answer.traces;
  const events: StoredEvent[] = [];
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
  const info: OrderInfo = foldEvents(
    events,
    answer.status,
    { eta, cells: [], traces: [] },
    {
      timeZone: options.timeZone,
      address: labelled ? (options.address ?? 'label-description') : 'description',
    },
  );
  if (options.traceOrder === 'newest-first') (info.traces as unknown[]).reverse();
  const json = Buffer.from(serializeOrderInfo(info), 'utf8');
  return { reply: { json }, status: answer.status, signed: isSigned(answer.status), dropped };
}
