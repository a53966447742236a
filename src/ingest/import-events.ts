/**
 * @module
 * Loading scan events from a file's records into a store, in batched transactions, under the
 * same rules as the push API (ingest-batch.ts). Bad records are reported and skipped; they never
 * stop the good ones.
 *
 * Resumable by construction: every event is keyed by (carrier, event_id), and each batch commits
 * on its own, so re-running a file after a crash stores only what is missing and reports the rest
 * as duplicates. No checkpoint file can disagree with the database.
 */
import type { EventLog } from '../store/roles.js';
import type { EventCodeMapping } from '../tracking/event-codes.js';
import { defaultEventCodes } from '../tracking/event-codes.js';
import type { WaybillRule } from '../tracking/event.js';
import { ingestItems, type IngestItem } from './ingest-batch.js';
import { ndjsonRecords } from './sources/ndjson-source.js';
import type { SourceRecord } from './sources/source.js';

export interface ImportOptions {
  readonly carrier: string;
  /** Zone for event times given without an offset. */
  readonly timeZone: string;
  /** The carrier's registered cell keys; when given, events may use no other. */
  readonly cellKeys?: ReadonlySet<string>;
  /** The carrier's waybill pattern; when given, records for other numbers are rejected. */
  readonly waybill?: WaybillRule;
  /** Carrier scan codes; the default table when left out. */
  readonly codes?: EventCodeMapping;
  /** The carrier's registered links by cell key: a cell `status` that repeats its link is warned about. */
  readonly cellLinks?: ReadonlyMap<string, string>;
  /** Called for each stored record with a warning. */
  readonly onWarn?: (line: number, warning: string) => void;
  /** Events per transaction. */
  readonly batchSize?: number;
  /** Called for each rejected record. */
  readonly onReject?: (line: number, reason: string, code: string) => void;
  /** Called after each committed batch with the running totals. */
  readonly onProgress?: (summary: ImportSummary) => void;
}

export interface ImportSummary {
  /** Records read (non-blank lines, CSV rows). */
  read: number;
  inserted: number;
  duplicates: number;
  /** Every record not stored, conflicts included. */
  rejected: number;
  /** Of the rejected: an `event_id` already stored with other content. */
  conflicts: number;
  /** Stored records with a warning (a cell `status` that repeats its registered link). */
  warnings: number;
}

/** Imports records, batch by batch. */
export async function importRecords(
  chunks: AsyncIterable<readonly SourceRecord[]> | Iterable<readonly SourceRecord[]>,
  store: Pick<EventLog, 'append'>,
  options: ImportOptions,
): Promise<ImportSummary> {
  const batchSize = options.batchSize ?? 10_000;
  const rules = {
    timeZone: options.timeZone,
    codes: options.codes ?? defaultEventCodes(),
    ...(options.cellKeys === undefined ? {} : { cellKeys: options.cellKeys }),
    ...(options.waybill === undefined ? {} : { waybill: options.waybill }),
    ...(options.cellLinks === undefined ? {} : { cellLinks: options.cellLinks }),
  };
  const summary: ImportSummary = {
    read: 0,
    inserted: 0,
    duplicates: 0,
    rejected: 0,
    conflicts: 0,
    warnings: 0,
  };
  let items: IngestItem[] = [];
  let lines: number[] = [];
  const flush = async () => {
    if (items.length === 0) return;
    const results = await ingestItems(store, options.carrier, items, rules);
    for (let i = 0; i < results.length; i++) {
      const r = results[i]!;
      if (r.result !== 'rejected' && r.warning !== undefined) {
        summary.warnings++;
        options.onWarn?.(lines[i]!, r.warning);
      }
      if (r.result === 'accepted') summary.inserted++;
      else if (r.result === 'duplicate') summary.duplicates++;
      else if (r.result === 'rejected') {
        summary.rejected++;
        if (r.code === 'conflict') summary.conflicts++;
        options.onReject?.(lines[i]!, r.reason, r.code);
      }
    }
    items = [];
    lines = [];
    options.onProgress?.({ ...summary });
  };
  for await (const chunk of chunks) {
    for (const rec of chunk) {
      summary.read++;
      items.push(rec.item);
      lines.push(rec.line);
      if (items.length >= batchSize) await flush();
    }
  }
  await flush();
  return summary;
}

async function* asText(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<string> {
  for await (const line of lines) yield line + '\n';
}

/** Imports NDJSON given line by line (the demo's events, tests). */
export function importEventLines(
  lines: AsyncIterable<string> | Iterable<string>,
  store: Pick<EventLog, 'append'>,
  options: ImportOptions,
): Promise<ImportSummary> {
  return importRecords(ndjsonRecords(asText(lines)), store, options);
}
