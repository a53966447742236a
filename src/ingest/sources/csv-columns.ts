/**
 * @module
 * From a CSV export's columns to event fields. Real exports name their columns in their own
 * words (运单号, 扫描时间, …), so a map `field -> column` renames them; a column that already
 * bears a field's name needs no mapping. Times in an export's own forms (2026/11/30 10:00:00) are
 * written as ISO 8601 (export-time.ts). Pure.
 */
import { normalizeExportTime } from './export-time.js';

/** Event fields a CSV column can feed. */
export const CSV_FIELDS = Object.freeze([
  'waybill',
  'event_id',
  'time',
  'status',
  'code',
  'label',
  'description',
  'location',
  'eta',
  'cells',
] as const);

export type CsvField = (typeof CSV_FIELDS)[number];

/** event_id is derived and description falls back when absent (tracking/event.ts). */
const REQUIRED: readonly CsvField[] = ['waybill', 'time'];

export type HeaderPlan =
  /** The fields each column feeds: one column may feed several (location and description). */
  | { readonly ok: true; readonly fields: readonly (readonly CsvField[])[] }
  | { readonly ok: false; readonly error: string };

/** Works out which field each header column feeds, or what is missing. */
export function planColumns(header: readonly string[], map: Readonly<Record<string, string>>): HeaderPlan {
  const unknownFields = Object.keys(map).filter((f) => !(CSV_FIELDS as readonly string[]).includes(f));
  if (unknownFields.length > 0) {
    return {
      ok: false,
      error: `--map names unknown field(s) ${unknownFields.join(', ')}; fields: ${CSV_FIELDS.join(', ')}`,
    };
  }
  const byColumn = new Map<string, CsvField[]>();
  for (const f of CSV_FIELDS) {
    const column = map[f] ?? f;
    byColumn.set(column, [...(byColumn.get(column) ?? []), f]);
  }
  const names = header.map((h) => h.trim());
  const fields = names.map((h) => byColumn.get(h) ?? []);
  const have = new Set(fields.flat());
  const missing: string[] = REQUIRED.filter((f) => !have.has(f)).map((f) =>
    map[f] ? `${f} (column "${map[f]}")` : f,
  );
  if (!have.has('status') && !have.has('code')) missing.push('status or code');
  if (missing.length > 0) {
    return {
      ok: false,
      error: `CSV header lacks ${missing.join(', ')}; header is: ${names.join(', ')}; map columns with --map field=Column`,
    };
  }
  return { ok: true, fields };
}

/** One CSV row to the event object the validator expects; empty cells are left out. */
export function csvRowToEvent(
  row: readonly string[],
  fields: readonly (readonly CsvField[])[],
): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (let i = 0; i < fields.length; i++) {
    const v = row[i];
    if (v === undefined || v === '') continue;
    for (const f of fields[i]!) setField(o, f, v);
  }
  return o;
}

function setField(o: Record<string, unknown>, f: CsvField, v: string): void {
  if (f === 'status') o.status = /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  else if (f === 'time') o.time = normalizeExportTime(v);
  else if (f === 'cells') {
    try {
      o.cells = JSON.parse(v) as unknown;
    } catch {
      o.cells = v; // the validator names the field
    }
  } else o[f] = v;
}
