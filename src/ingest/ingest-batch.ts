/**
 * @module
 * The one set of ingest rules, shared by the push API and file import: validate each decoded
 * item, store the valid ones in one store call, and answer one result per item, in input order.
 *
 * - A bad item is rejected with a reason and never sinks its neighbours.
 * - A re-sent `event_id` with the same content is a `duplicate`; with other content it is
 *   rejected as `conflict` and the stored version stays (the store decides, atomically, so
 *   concurrent senders of one event leave one row).
 */
import { Rejections, type RejectionCode } from '../api/api-errors.js';
import { statusRepeatsLink } from '../cell-link/cell-link.js';
import type { EventLog } from '../store/roles.js';
import {
  parseScanEvent,
  UNKNOWN_CODE_REASON,
  UNSERVABLE_REASON,
  type ScanEvent,
  type WaybillRule,
} from '../tracking/event.js';
import type { EventCodeMapping } from '../tracking/event-codes.js';

/** One item to ingest: a decoded JSON value, or why it could not be decoded. */
export type IngestItem = { readonly value: unknown } | { readonly undecodable: string };

export type EventResult =
  | {
      readonly index: number;
      readonly eventId?: string;
      readonly result: 'accepted' | 'duplicate';
      /** Stored, but doubtful: a cell's `status` that repeats its registered link. */
      readonly warning?: string;
    }
  | {
      readonly index: number;
      readonly eventId?: string;
      readonly result: 'rejected';
      readonly code: RejectionCode;
      readonly reason: string;
    };

export interface IngestRules {
  /** Zone for event times given without an offset. */
  readonly timeZone: string;
  readonly codes: EventCodeMapping;
  /** The carrier's registered cell keys; when given, events may use no other. */
  readonly cellKeys?: ReadonlySet<string>;
  /** The carrier's waybill pattern; when given, events for other numbers are rejected as `unservable`. */
  readonly waybill?: WaybillRule;
  /** The carrier's registered links by cell key; a `status` that repeats its cell's link is warned about. */
  readonly cellLinks?: ReadonlyMap<string, string>;
}

/**
 * The warning for an event whose cell `status` repeats the cell's registered link: `status` is a
 * URL parameter appended to that link (cell-link.ts), so a page path there opens
 * `pages/pay/index?pages/pay/index&…`. Stored all the same: the reply is valid, the tap odd.
 */
export function cellStatusWarning(
  cells: ScanEvent['cells'],
  links: ReadonlyMap<string, string> | undefined,
): string | undefined {
  if (cells === undefined || links === undefined) return undefined;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i]!;
    const link = links.get(cell.key);
    if (link !== undefined && statusRepeatsLink(cell.status, link)) {
      return (
        `cells[${i}].status repeats the link registered for cell "${cell.key}" (${link}); ` +
        `status is a URL parameter appended to that link, e.g. state=unpaid`
      );
    }
  }
  return undefined;
}

const eventIdOf = (value: unknown): string | undefined => {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as Record<string, unknown>).event_id;
  return typeof id === 'string' ? id.trim().slice(0, 128) : undefined;
};

/**
 * Validates and stores `items` for one carrier; `firstIndex` numbers them (import passes its
 * offset). When given, `stored` collects the waybills whose events changed (a reply cache in
 * another thread must forget exactly those).
 */
export async function ingestItems(
  store: Pick<EventLog, 'append'>,
  carrier: string,
  items: readonly IngestItem[],
  rules: IngestRules,
  firstIndex = 0,
  stored?: Set<string>,
): Promise<EventResult[]> {
  const results: EventResult[] = new Array(items.length);
  const valid: ScanEvent[] = [];
  const slots: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const index = firstIndex + i;
    if ('undecodable' in item) {
      results[i] = { index, result: 'rejected', code: Rejections.INVALID_JSON, reason: item.undecodable };
      continue;
    }
    const parsed = parseScanEvent(item.value, rules);
    if (!parsed.ok) {
      const eventId = eventIdOf(item.value);
      const code = parsed.reason.startsWith(UNKNOWN_CODE_REASON)
        ? Rejections.UNKNOWN_CODE
        : parsed.reason.startsWith(UNSERVABLE_REASON)
          ? Rejections.UNSERVABLE
          : Rejections.INVALID;
      results[i] = { index, eventId, result: 'rejected', code, reason: parsed.reason };
      continue;
    }
    valid.push(parsed.event);
    slots.push(i);
  }
  if (valid.length > 0) {
    const outcomes = await store.append(carrier, valid);
    for (let j = 0; j < outcomes.length; j++) {
      const i = slots[j]!;
      const eventId = valid[j]!.eventId;
      const index = firstIndex + i;
      const o = outcomes[j]!;
      if (o === 'inserted') stored?.add(valid[j]!.waybill);
      const warning = cellStatusWarning(valid[j]!.cells, rules.cellLinks);
      const warned = warning === undefined ? {} : { warning };
      results[i] =
        o === 'inserted'
          ? { index, eventId, result: 'accepted', ...warned }
          : o === 'duplicate'
            ? { index, eventId, result: 'duplicate', ...warned }
            : {
                index,
                eventId,
                result: 'rejected',
                code: Rejections.CONFLICT,
                reason: 'event_id already stored with other content; the stored version is kept',
              };
    }
  }
  return results;
}

/** Counts of a result list. */
export function tally(results: readonly EventResult[]): {
  accepted: number;
  duplicates: number;
  rejected: number;
} {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  for (const r of results) {
    if (r.result === 'accepted') accepted++;
    else if (r.result === 'duplicate') duplicates++;
    else rejected++;
  }
  return { accepted, duplicates, rejected };
}

/** Stored events with a warning. */
export function warningCount(results: readonly EventResult[]): number {
  let n = 0;
  for (const r of results) if (r.result !== 'rejected' && r.warning !== undefined) n++;
  return n;
}
