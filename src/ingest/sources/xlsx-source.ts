/**
 * @module
 * Records from an Excel workbook (`.xlsx`), the format couriers' back offices export most: the
 * first worksheet, its first non-empty row the header, one event a row after it. Columns are
 * mapped to event fields exactly as for CSV (csv-columns.ts), so `--map` works the same.
 *
 * Read with exceljs's streaming reader, row by row, so memory does not grow with the sheet. Cell
 * values become text: a date cell (exceljs returns a Date holding the wall-clock time) or a
 * number in the `time` column (an Excel serial date) becomes ISO 8601 without an offset, read in
 * the carrier's zone like every export time (export-time.ts); rich text, hyperlinks and formula
 * results give their text.
 */
import ExcelJS from 'exceljs';
import { CsvHeaderError } from './csv-source.js';
import { csvRowToEvent, planColumns, type CsvField } from './csv-columns.js';
import { excelSerialToIso, wallClockIso } from './export-time.js';
import type { SourceRecord } from './source.js';

const BATCH = 1000;

/** A cell's value as text; `time` cells turn dates and serial numbers into ISO 8601. */
export function cellText(value: unknown, field: CsvField | undefined): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return wallClockIso(value);
  if (typeof value === 'number')
    return field === 'time' ? (excelSerialToIso(value) ?? String(value)) : String(value);
  if (typeof value === 'string' || typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    const v = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: string };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if (v.result !== undefined) return cellText(v.result, field);
    if (v.text !== undefined) return cellText(v.text, field);
    if (v.error !== undefined) return '';
  }
  return String(value);
}

export async function* xlsxRecords(
  path: string,
  map: Readonly<Record<string, string>>,
): AsyncGenerator<SourceRecord[]> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(path, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // date formats: without them a date cell is a bare serial number
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  for await (const sheet of reader) {
    let fields: readonly (readonly CsvField[])[] | undefined;
    let out: SourceRecord[] = [];
    for await (const row of sheet) {
      // row.values is 1-based, with holes for empty cells.
      const raw = (row.values as unknown[]).slice(1);
      if (fields === undefined) {
        const header = raw.map((v) => cellText(v, undefined));
        if (header.every((h) => h.trim() === '')) continue;
        const plan = planColumns(header, map);
        if (!plan.ok) throw new CsvHeaderError(plan.error.replace(/^CSV header/, 'sheet header'));
        fields = plan.fields;
        continue;
      }
      const cells = raw.map((v, i) => cellText(v, fields![i]?.[0]));
      if (cells.every((c) => c.trim() === '')) continue;
      out.push({ line: row.number, item: { value: csvRowToEvent(cells, fields) } });
      if (out.length >= BATCH) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
    return; // the first worksheet only
  }
}
