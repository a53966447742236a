/**
 * @module
 * A push body, as bytes, to the items the ingest rules take. Pure, so it runs wherever the push
 * is stored: decoding and parsing a 10 MiB body is tens of milliseconds of CPU, and the push
 * ingestor does it off the thread that answers WeChat's queries (issue 8: ingestion never
 * stalls a query).
 *
 * - `json`: one JSON array of events; anything else is refused whole (`not-an-array`,
 *   `bad-json`).
 * - `ndjson`: one event per line; a line that is not JSON is one rejected event, not a failed
 *   request. Blank lines are skipped and take no index; one leading UTF-8 BOM is skipped.
 */
import type { IngestItem } from '../ingest-batch.js';

export type PushFormat = 'json' | 'ndjson';

/** A push request's body as it came off the socket. */
export interface PushBody {
  readonly format: PushFormat;
  readonly bytes: Uint8Array;
}

export type PushItems =
  | { readonly ok: true; readonly items: IngestItem[] }
  | { readonly ok: false; readonly error: 'bad-json' | 'not-an-array' };

const decoder = new TextDecoder('utf-8');

/** NDJSON text to items; blank lines are skipped and do not take an index. */
export function ndjsonItems(text: string): IngestItem[] {
  const items: IngestItem[] = [];
  let start = 0;
  // Strip one UTF-8 BOM a Windows export may lead with.
  if (text.charCodeAt(0) === 0xfeff) start = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    try {
      items.push({ value: JSON.parse(line) as unknown });
    } catch {
      items.push({ undecodable: 'not valid JSON' });
    }
  }
  return items;
}

/** Decodes a push body (UTF-8; a leading BOM is skipped by the decoder) into items. */
export function pushItems(body: PushBody): PushItems {
  const text = decoder.decode(body.bytes);
  if (body.format === 'ndjson') return { ok: true, items: ndjsonItems(text) };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'bad-json' };
  }
  if (!Array.isArray(value)) return { ok: false, error: 'not-an-array' };
  return { ok: true, items: value.map((v: unknown) => ({ value: v })) };
}
