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

const GROUP = 256;

export async function* csvRecords(
  text: AsyncIterable<string>,
  map: Readonly<Record<string, string>>,
): AsyncGenerator<SourceRecord[]> {
  const source = Readable.from(text, { objectMode: true });
  const parser = parse({ relax_column_count: true, skip_empty_lines: true, info: true });
  // A read error surfaces through the parser, so the loop below throws it instead of it going
  // unhandled on the source stream.
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  let fields: readonly (CsvField | undefined)[] | undefined;
  let out: SourceRecord[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      if (fields === undefined) {
        const plan = planColumns(record, map);
        if (!plan.ok) {
          throw new CsvHeaderError(plan.error);
        }
        fields = plan.fields;
        continue;
      }
      out.push({ line: info.lines, item: { value: csvRowToEvent(record, fields) } });
      if (out.length >= GROUP) {
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
