/**
 * @module
 * CSV records from decoded text: a header row, then one event a record (grammar in
 * csv-text.ts). Columns are mapped to event fields by csv-columns.ts.
 *
 * Streaming: the text is cut after the last newline that lies outside quotes (where the count
 * of `"` since the last cut is even: a doubled quote inside a cell adds two), and each run of
 * whole records is parsed in one call. A record never spans two calls; memory holds one chunk
 * plus one unfinished record.
 */
import { CsvSyntaxError, parseCsvText } from './csv-text.js';
import { csvRowToEvent, planColumns, type CsvField } from './csv-columns.js';
import type { SourceRecord } from './source.js';

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
  let fields: readonly (CsvField | undefined)[] | undefined;
  let line = 0;
  let rest = '';

  const convert = (block: string): SourceRecord[] => {
    let rows: string[][];
    try {
      // A blank line comes back as one empty cell, which keeps the line count right.
      rows = parseCsvText(block);
    } catch (err) {
      if (!(err instanceof CsvSyntaxError)) throw err;
      throw new Error(`CSV line ${line + err.line}: ${err.message.replace(/ on line \d+/, '')}`, {
        cause: err,
      });
    }
    const out: SourceRecord[] = [];
    for (const record of rows) {
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
    const cut = cutPoint(data);
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
