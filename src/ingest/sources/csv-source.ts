/**
 * @module
 * CSV records from decoded text: a header row, then one event a record (grammar in
 * csv-text.ts). Columns are mapped to event fields by csv-columns.ts.
 *
 * Streaming: the text is cut after the last newline that lies outside quotes (where the count
 * of `"` since the last cut is even: a doubled quote inside a cell adds two), and each run of
 * whole records is parsed in one call. A record never spans two calls; memory holds one chunk
 * plus one unfinished record (at most 4 MiB: beyond that an open quote is taken as broken).
 *
 * A record that breaks the grammar (a stray quote) is reported as one rejected line, and
 * reading resumes on the next line (csv-text.ts `parseCsvTextResync`).
 */
import { CsvSyntaxError, parseCsvText, parseCsvTextResync, type CsvBrokenLine } from './csv-text.js';
import { csvRowToEvent, planColumns, type CsvField } from './csv-columns.js';
import type { SourceRecord } from './source.js';

/** Text held while waiting for a quote to close before the reader assumes it never will. */
const RESYNC_BYTES = 4 * 1024 * 1024;

/** A header that cannot feed events: the import stops before storing anything. */
export class CsvHeaderError extends Error {}

function newlinesIn(record: readonly string[]): number {
  let n = 0;
  for (const cell of record) {
    for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
  }
  return n;
}

/**
 * Where to cut `text` so that everything before is whole records: just after the last newline
 * outside quotes, or 0 when there is none yet.
 */
function cutPoint(text: string): number {
  let cut = 0;
  let inQuotes = false;
  let q = text.indexOf('"');
  let nl = text.indexOf('\n');
  while (nl >= 0) {
    // Flip the quote state for every quote before this newline.
    while (q >= 0 && q < nl) {
      inQuotes = !inQuotes;
      q = text.indexOf('"', q + 1);
    }
    if (!inQuotes) cut = nl + 1;
    nl = text.indexOf('\n', nl + 1);
  }
  return cut;
}

export async function* csvRecords(
  text: AsyncIterable<string>,
  map: Readonly<Record<string, string>>,
): AsyncGenerator<SourceRecord[]> {
  let fields: readonly (readonly CsvField[])[] | undefined;
  let line = 0;
  let rest = '';

  const convert = (block: string): SourceRecord[] => {
    let rows: (string[] | CsvBrokenLine)[];
    try {
      // A blank line comes back as one empty cell, which keeps the line count right.
      rows = parseCsvText(block);
    } catch (err) {
      if (!(err instanceof CsvSyntaxError)) throw err;
      // A broken record costs its first line only; the rest of the block is read again from there.
      rows = parseCsvTextResync(block);
    }
    const out: SourceRecord[] = [];
    for (const record of rows) {
      if (!Array.isArray(record)) {
        line += 1;
        out.push({ line, item: { undecodable: `CSV: ${record.broken}; the line is skipped` } });
        continue;
      }
      line += 1 + newlinesIn(record);
      if (record.length === 1 && record[0]!.trim() === '') continue;
      if (fields === undefined) {
        const plan = planColumns(record, map);
        if (!plan.ok) throw new CsvHeaderError(plan.error);
        fields = plan.fields;
        continue;
      }
      out.push({ line, item: { value: csvRowToEvent(record, fields) } });
    }
    return out;
  };

  for await (const chunk of text) {
    const data = rest + chunk;
    let cut = cutPoint(data);
    // An unclosed quote makes every later newline look quoted: past a bound, cut at the last
    // newline anyway and let the resyncing parser skip the broken line, so memory stays bounded.
    if (cut === 0 && data.length > RESYNC_BYTES) cut = data.lastIndexOf('\n') + 1;
    if (cut === 0) {
      rest = data;
      continue;
    }
    rest = data.slice(cut);
    const out = convert(data.slice(0, cut));
    if (out.length > 0) yield out;
  }
  if (rest !== '') {
    const out = convert(rest);
    if (out.length > 0) yield out;
  }
}
