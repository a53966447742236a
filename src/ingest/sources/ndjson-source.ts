/**
 * @module
 * NDJSON records: one JSON event per line. Lines are split by hand over decoded chunks and
 * handed on a chunk's worth at a time, because a promise per line (readline's iterator) costs
 * more than parsing the line.
 */
import type { SourceRecord } from './source.js';

export async function* ndjsonRecords(text: AsyncIterable<string>): AsyncGenerator<SourceRecord[]> {
  let rest = '';
  let line = 0;
  const toRecord = (raw: string, out: SourceRecord[]) => {
    line++;
    // JSON.parse skips surrounding whitespace (a CRLF's \r too), so lines are parsed as they
    // come; only a line that fails is checked for being blank.
    try {
      out.push({ line, item: { value: JSON.parse(raw) as unknown } });
    } catch {
      if (raw.trim() !== '') out.push({ line, item: { undecodable: 'not valid JSON' } });
    }
  };
  for await (const chunk of text) {
    const data = rest + chunk;
    const out: SourceRecord[] = [];
    let start = 0;
    for (let nl = data.indexOf('\n'); nl >= 0; nl = data.indexOf('\n', start)) {
      toRecord(data.slice(start, nl), out);
      start = nl + 1;
    }
    rest = data.slice(start);
    if (out.length > 0) yield out;
  }
  if (rest !== '') {
    const out: SourceRecord[] = [];
    toRecord(rest, out);
    if (out.length > 0) yield out;
  }
}
