/**
 * @module
 * The date-time forms of Chinese courier exports, turned into the ISO 8601 form the event rules
 * read (`YYYY-MM-DDTHH:mm:ss`, no offset, so it is read in the carrier's zone, as an export's
 * wall-clock times are meant):
 *
 * - `2026/11/30 10:00:00` and `2026/1/5 9:03` (Excel's display of a date cell, WPS exports);
 * - `2026-11-30 10:00:00` (already understood; passed through);
 * - an Excel serial date (days since 1899-12-30, the fraction being the time of day), as a date
 *   cell of an `.xlsx` holds it.
 *
 * Only file imports use this: the push API keeps to ISO 8601. Pure.
 */

const SLASHED = /^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;

/** Forms the event rules already read as they are. */
const ISO_ALREADY = /^\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$/;

const pad = (n: string | number) => String(n).padStart(2, '0');

/** `text` in ISO 8601 when it is one of the export forms; otherwise `text` unchanged (the rules then name it). */
export function normalizeExportTime(text: string): string {
  const t = text.trim();
  const m = SLASHED.exec(t);
  if (!m || ISO_ALREADY.test(t)) return text;
  const [, y, mo, d, h, mi, s] = m;
  const date = `${y}-${pad(mo!)}-${pad(d!)}`;
  return h === undefined ? date : `${date}T${pad(h)}:${mi}:${pad(s ?? '0')}`;
}

/** Excel's day 0 is 1899-12-30 (its 1900 leap-year bug folded in), as a Unix-epoch day count. */
const EXCEL_EPOCH_DAYS = 25569;

/**
 * An Excel serial date-time as wall-clock ISO 8601 (no offset), rounded to the second; undefined
 * for a number that is no plausible date (before 1970 or after 9999).
 */
export function excelSerialToIso(serial: number): string | undefined {
  if (!Number.isFinite(serial) || serial < EXCEL_EPOCH_DAYS || serial > 2958465) return undefined;
  const ms = Math.round((serial - EXCEL_EPOCH_DAYS) * 86_400) * 1000;
  return wallClockIso(new Date(ms));
}

/** A Date whose UTC fields hold a wall-clock time (as spreadsheet libraries return date cells). */
export function wallClockIso(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}
