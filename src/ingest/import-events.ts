/**
 * @module
 * Loading scan events from NDJSON text into a store, in batched transactions. Bad lines are
 * reported and skipped; they never stop the good ones. Re-running the same input inserts only
 * what is missing, because every event is keyed by (carrier, event_id).
 */
import type { Store } from '../store/store.js';
import { parseScanEvent, type ScanEvent } from '../tracking/event.js';

export interface ImportOptions {
  readonly carrier: string;
  /** Zone for event times given without an offset. */
  readonly timeZone: string;
  /** The carrier's registered cell keys; when given, events may use no other. */
  readonly cellKeys?: ReadonlySet<string>;
  /** Events per transaction. */
  readonly batchSize?: number;
  /** Called for each rejected line. */
  readonly onReject?: (line: number, reason: string) => void;
  /** Called after each committed batch with the running totals. */
  readonly onProgress?: (summary: ImportSummary) => void;
}

export interface ImportSummary {
  /** Non-blank lines read. */
  read: number;
  inserted: number;
  duplicates: number;
  rejected: number;
}

/** Parses one NDJSON line into an event, or a reason. */
export function parseEventLine(
  line: string,
  timeZone: string,
  cellKeys?: ReadonlySet<string>,
): { ok: true; event: ScanEvent } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  return parseScanEvent(value, cellKeys === undefined ? { timeZone } : { timeZone, cellKeys });
}

export async function importEventLines(
  lines: AsyncIterable<string> | Iterable<string>,
  store: Store,
  options: ImportOptions,
): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 2000;
  const summary: ImportSummary = { read: 0, inserted: 0, duplicates: 0, rejected: 0 };
  let batch: ScanEvent[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const outcomes = await store.ingest(options.carrier, batch);
    for (const o of outcomes) {
      if (o === 'inserted') summary.inserted++;
      else summary.duplicates++;
    }
    batch = [];
    options.onProgress?.({ ...summary });
  };
  let lineNo = 0;
  for await (const raw of lines) {
    lineNo++;
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (line.trim() === '') continue;
    summary.read++;
    const parsed = parseEventLine(line, options.timeZone, options.cellKeys);
    if (!parsed.ok) {
      summary.rejected++;
      options.onReject?.(lineNo, parsed.reason);
      continue;
    }
    batch.push(parsed.event);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return summary;
}
