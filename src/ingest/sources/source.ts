/**
 * @module
 * What an import reads from: a byte stream decoded into text, counted as it goes (for progress
 * and ETA), turned into records by a format (ndjson-source.ts, csv-source.ts).
 *
 * Everything is pulled chunk by chunk with `for await`, so a slow store slows the reader down
 * instead of letting a file pile up in memory: memory stays bounded whatever the file's size.
 */
import iconv from 'iconv-lite';
import type { IngestItem } from '../ingest-batch.js';

/** One record of the input and the line it ends on, for error reports. */
export interface SourceRecord {
  readonly line: number;
  readonly item: IngestItem;
}

export type ImportFormat = 'ndjson' | 'csv';

/** Running count of bytes read, shared with the progress display. */
export interface ByteCounter {
  bytes: number;
}

/** True when iconv-lite knows the encoding (`utf8`, `gbk`, `gb18030`, `big5`, …). */
export const isKnownEncoding = (encoding: string): boolean => iconv.encodingExists(encoding);

/**
 * Decodes a byte stream to text chunks in `encoding`, counting bytes into `counter` and dropping
 * one leading byte-order mark (Excel writes one before UTF-8 CSV).
 */
export async function* decodeText(
  input: AsyncIterable<Buffer | string>,
  encoding: string,
  counter: ByteCounter,
): AsyncGenerator<string> {
  const utf8 = /^utf-?8$/i.test(encoding);
  // TextDecoder decodes UTF-8 about a third faster than StringDecoder; the BOM is kept here and
  // dropped below, the same way for every encoding.
  const textDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
  const decoder = utf8
    ? { write: (b: Buffer) => textDecoder.decode(b, { stream: true }), end: () => textDecoder.decode() }
    : iconv.getDecoder(encoding);
  let first = true;
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    counter.bytes += buf.length;
    let text = decoder.write(buf);
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (text.length > 0) yield text;
  }
  const tail = decoder.end();
  if (tail) yield tail;
}
