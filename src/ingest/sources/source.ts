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

export type ImportFormat = 'ndjson' | 'csv' | 'xlsx';

/** Running count of bytes read, shared with the progress display. */
export interface ByteCounter {
  bytes: number;
}

/** Input that is not in the encoding it was read as; the message says which one it looks like. */
export class EncodingError extends Error {}

/**
 * Why `head` (the first bytes of an input read as UTF-8) is not UTF-8, when it is not: GBK (the
 * encoding of exports from Chinese Windows) is named when the bytes decode as GBK without a
 * single replacement character. `undefined` when `head` is valid UTF-8.
 */
export function notUtf8Hint(head: Buffer): string | undefined {
  try {
    // stream: true, so a character cut at the end of `head` is not counted against it.
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
    return undefined;
  } catch {
    const gbk = iconv.decode(head, 'gbk');
    return !gbk.slice(0, -1).includes('\uFFFD') && /[\u4e00-\u9fff]/.test(gbk)
      ? 'the input is not UTF-8; it looks like GBK (an export from Chinese Windows): add --encoding gbk'
      : 'the input is not UTF-8: name its encoding with --encoding (gbk, gb18030, big5, …)';
  }
}

/** True when iconv-lite knows the encoding (`utf8`, `gbk`, `gb18030`, `big5`, …). */
export const isKnownEncoding = (encoding: string): boolean => iconv.encodingExists(encoding);

/**
 * Decodes a byte stream to text chunks in `encoding`, counting bytes into `counter` and dropping
 * one leading byte-order mark (Excel writes one before UTF-8 CSV). Input read as UTF-8 whose
 * first chunk is not UTF-8 stops with an {@link EncodingError} naming the likely encoding.
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
  let checked = !utf8;
  for await (const chunk of input) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!checked) {
      checked = true;
      // Checked before anything is decoded, so a mis-declared file stores nothing garbled.
      const hint = notUtf8Hint(buf);
      if (hint !== undefined) throw new EncodingError(hint);
    }
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

/**
 * Tells NDJSON from CSV by the first character that is not white space: `{` starts an NDJSON
 * event, anything else a CSV header. For stdin, which has no extension. The text is handed on
 * whole.
 */
export async function sniffFormat(
  text: AsyncIterable<string>,
): Promise<{ format: ImportFormat; text: AsyncIterable<string> }> {
  const it = text[Symbol.asyncIterator]();
  const seen: string[] = [];
  let format: ImportFormat = 'ndjson';
  for (;;) {
    const next = await it.next();
    if (next.done) break;
    seen.push(next.value);
    const m = /\S/.exec(next.value);
    if (m) {
      format = m[0] === '{' ? 'ndjson' : 'csv';
      break;
    }
  }
  async function* replay(): AsyncGenerator<string> {
    yield* seen;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  return { format, text: replay() };
}
