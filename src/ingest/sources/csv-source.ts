/**
 * @module
 * CSV records through csv-parse: a header row, RFC 4180 quoting (commas, quotes and newlines
 * inside quoted cells), any line ending. Columns are mapped to event fields by csv-columns.ts.
 */
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { csvRowToEvent, planColumns, type CsvField } from './csv-columns.js';
import type { SourceRecord } from './source.js';

/** A header that cannot feed events: the import stops before storing anything. */
export class CsvHeaderError extends Error {}

/** Records per yielded chunk, unless the caller asks otherwise. */
const GROUP = 256;

function newlinesIn(record: readonly string[]): number {
  let n = 0;
  for (const cell of record) {
    for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) n++;
  }
  return n;
}

export async function* csvRecords(
  text: AsyncIterable<string>,
  map: Readonly<Record<string, string>>,
  group = GROUP,
): AsyncGenerator<SourceRecord[]> {
  const source = Readable.from(text, { objectMode: true });
  // Line numbers are counted here rather than with csv-parse's `info`, which halves its speed:
  // a record spans one line plus one per newline inside its quoted cells, and blank lines come
  // through as a lone empty cell.
  const parser = parse({ relax_column_count: true });
  // A read error surfaces through the parser, so the loop below throws it instead of it going
  // unhandled on the source stream.
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  let fields: readonly (CsvField | undefined)[] | undefined;
  let out: SourceRecord[] = [];
  let line = 0;
  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      line += 1 + newlinesIn(record);
      if (record.length === 1 && record[0]!.trim() === '') continue;
      if (fields === undefined) {
        const plan = planColumns(record, map);
        if (!plan.ok) {
          throw new CsvHeaderError(plan.error);
        }
        fields = plan.fields;
        continue;
      }
      out.push({ line, item: { value: csvRowToEvent(record, fields) } });
      if (out.length >= group) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  } finally {
    source.destroy();
    parser.destroy();
  }
}
