/**
 * @module
 * Rows as both SQL backends read them, and their mapping to records: written once, so SQLite and
 * PostgreSQL hand rendering byte-identical input. PostgreSQL returns BIGINT columns as strings,
 * SQLite as numbers; every mapper goes through `Number`.
 */
import type { Cell, OrderStatus } from '../../protocol/order-info.js';
import type { StoredEvent } from '../../tracking/event.js';
import type { WaybillState } from '../roles.js';
import type { PersonalFields } from '../../privacy/personal-fields.js';
import type { ApiKeyRecord, WaybillAttributes } from '../store.js';

type Int = number | string;

/** An events row. */
export interface EventRow {
  seq: Int;
  event_id: string;
  waybill: string;
  time_ms: Int;
  status: number;
  label: string;
  description: string;
  location: string | null;
  eta: string | null;
  cells: string | null;
  ingested_at: Int;
  fingerprint?: string | null;
  /** The personal fields (privacy/) as JSON, or null. */
  personal?: string | null;
}

/**
 * A row of the one statement that reads a waybill: the attributes row (left-joined, `a_*`) beside
 * each of its events (left-joined, null columns when it has none), events in rendering order.
 */
export interface StateRow extends Partial<Record<keyof EventRow, unknown>> {
  a_eta: string | null;
  a_cells: string | null;
  a_destination: string | null;
  a_updated_at: Int | null;
  seq: Int | null;
}

export interface KeyRow {
  id: string;
  name: string;
  carrier: string;
  hash: string;
  created_at: Int;
  revoked_at: Int | null;
}

/** Columns of the events table that rendering reads, in the order the SELECTs name them. */
export const EVENT_COLUMNS =
  'seq, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at, personal';

/** An event's personal fields as the `personal` column keeps them: JSON, or null for none. */
export function personalColumn(e: PersonalFields): string | null {
  if (e.recipientName === undefined && e.recipientPhone === undefined && e.pickupCode === undefined)
    return null;
  return JSON.stringify({
    ...(e.recipientName === undefined ? {} : { recipient_name: e.recipientName }),
    ...(e.recipientPhone === undefined ? {} : { recipient_phone: e.recipientPhone }),
    ...(e.pickupCode === undefined ? {} : { pickup_code: e.pickupCode }),
  });
}

/** The personal fields of a `personal` column. */
function personalOf(column: string | null | undefined): PersonalFields {
  if (column === null || column === undefined) return {};
  const o = JSON.parse(column) as { recipient_name?: string; recipient_phone?: string; pickup_code?: string };
  return {
    ...(o.recipient_name === undefined ? {} : { recipientName: o.recipient_name }),
    ...(o.recipient_phone === undefined ? {} : { recipientPhone: o.recipient_phone }),
    ...(o.pickup_code === undefined ? {} : { pickupCode: o.pickup_code }),
  };
}

export const parseCells = (cells: string | null): Cell[] | undefined =>
  cells === null ? undefined : (JSON.parse(cells) as Cell[]);

export const toStoredEvent = (r: EventRow): StoredEvent => ({
  waybill: r.waybill,
  eventId: r.event_id,
  time: Number(r.time_ms),
  status: r.status as OrderStatus,
  label: r.label,
  description: r.description,
  location: r.location ?? undefined,
  eta: r.eta ?? undefined,
  cells: parseCells(r.cells),
  seq: Number(r.seq),
  ingestedAt: Number(r.ingested_at),
  ...personalOf(r.personal),
});

export const toApiKey = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  name: r.name,
  carrier: r.carrier,
  hash: r.hash,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? undefined : Number(r.revoked_at),
});

const NO_ATTRIBUTES: WaybillAttributes = Object.freeze({
  eta: undefined,
  cells: undefined,
  destination: undefined,
});

/** A waybill's state from the rows of its one read, or `undefined` when it has neither events nor attributes. */
export function toWaybillState(rows: readonly StateRow[]): WaybillState | undefined {
  const first = rows[0];
  if (first === undefined) return undefined;
  const hasAttributes = first.a_updated_at !== null;
  const events: StoredEvent[] = [];
  let updatedAt = hasAttributes ? Number(first.a_updated_at) : 0;
  for (const r of rows) {
    if (r.seq === null) continue;
    const e = toStoredEvent(r as unknown as EventRow);
    events.push(e);
    if (e.ingestedAt > updatedAt) updatedAt = e.ingestedAt;
  }
  if (events.length === 0 && !hasAttributes) return undefined;
  return {
    events,
    attributes: hasAttributes
      ? {
          eta: first.a_eta ?? undefined,
          cells: parseCells(first.a_cells),
          destination: first.a_destination ?? undefined,
        }
      : NO_ATTRIBUTES,
    lastEventAt: events.length === 0 ? 0 : events[events.length - 1]!.time,
    updatedAt,
  };
}

/** Merges two ascending pages of waybill numbers into one, without repeats, at most `limit` long. */
export function mergePages(a: readonly string[], b: readonly string[], limit: number): string[] {
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (out.length < limit && (i < a.length || j < b.length)) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x < y)) out.push(a[i++]!);
    else if (x === undefined || y < x) out.push(b[j++]!);
    else {
      out.push(x);
      i++;
      j++;
    }
  }
  return out;
}
