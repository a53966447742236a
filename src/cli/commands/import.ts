/**
 * @module
 * `wxtrack import FILE`: loads scan events from NDJSON or CSV (by extension or `--format`; `-`
 * reads stdin), in batched transactions, with live progress on stderr and an optional `--json`
 * summary on stdout. Safe to re-run after a crash: stored events count as duplicates.
 */
import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { systemClock } from '../../clock/clock.js';
import { type Flags } from '../../config/settings.js';
import { ingestInForce, loadImportConfig, loadIngestConfig } from '../../config/ingest-config.js';
import { importRecords, type ImportSummary } from '../../ingest/import-events.js';
import { ProgressReporter } from '../../ingest/progress.js';
import { xlsxRecords } from '../../ingest/sources/xlsx-source.js';
import { csvRecords, CsvHeaderError } from '../../ingest/sources/csv-source.js';
import { ndjsonRecords } from '../../ingest/sources/ndjson-source.js';
import {
  decodeText,
  EncodingError,
  isKnownEncoding,
  sniffFormat,
  type ImportFormat,
} from '../../ingest/sources/source.js';
import { openStore } from '../../backends/open-backends.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'load scan events from an NDJSON or CSV file (- for stdin)',
  usage: `wxtrack import FILE [--format ndjson|csv] [--encoding gbk] [--map field=Column ...] [options]

  FILE                 .ndjson/.jsonl/.json are NDJSON, .csv is CSV; - reads stdin (NDJSON
                       when it starts with {, else CSV; or --format)
  --format F           ndjson, csv or xlsx, overriding the extension (.xlsx: the first
                       sheet, header row first, columns mapped as for CSV)
  --encoding E         input encoding: utf8 (default; a BOM is skipped), gbk, gb18030, big5, ...
  --map field=Column   CSV column feeding an event field; repeat, or comma-separate
                       (WXTRACK_CSV_MAP). Fields: waybill event_id time status code label
                       description location eta cells
  --event-codes FILE   carrier scan-code mapping, JSON (WXTRACK_EVENT_CODES); a carrier's
                       eventCodes in the configuration file win over it
  --db PATH|URL        SQLite file or postgres:// URL (WXTRACK_DB, default
                       ./data/wxtrack.db); a SQLite file must exist (wxtrack init makes one)
  --create             create the database if it does not exist
  --carrier ID         (WXTRACK_CARRIER_ID)    --timezone TZ  (WXTRACK_TIMEZONE)
  --waybill-pattern RE the carrier's registered pattern, as given to serve
                       (WXTRACK_WAYBILL_PATTERN); records for other numbers are rejected
  --config FILE        configuration file (WXTRACK_CONFIG); --carrier then picks one of its
                       carriers, whose zone and registered cell keys apply
  --batch-size N       events per transaction (default 10000)
  --json               print a machine-readable summary on stdout
  --quiet              no progress display
  --progress-interval S  seconds between progress lines when stderr is not a terminal
                       (default 5; 0 prints one per batch)

  Rejected records are reported on stderr with their line number and reason. Exits 1 if any
  record was rejected (conflicts included), 2 on a usage error.`,
  options: {
    config: { type: 'string' },
    db: { type: 'string' },
    create: { type: 'boolean' },
    carrier: { type: 'string' },
    timezone: { type: 'string' },
    'waybill-pattern': { type: 'string' },
    'batch-size': { type: 'string' },
    format: { type: 'string' },
    encoding: { type: 'string' },
    // Repeatable: parseArgs hands an array, which loadIngestConfig reads.
    map: { type: 'string', multiple: true },
    'event-codes': { type: 'string' },
    json: { type: 'boolean' },
    quiet: { type: 'boolean' },
    'progress-interval': { type: 'string' },
  },
  positionals: true,
  run: runImport,
};

function formatOf(file: string, flag: string | boolean | undefined): ImportFormat | 'auto' | string {
  if (typeof flag === 'string')
    return flag === 'ndjson' || flag === 'csv' || flag === 'xlsx'
      ? flag
      : `--format: "${flag}" is not ndjson, csv or xlsx`;
  if (file === '-') return 'auto';
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  if (ext === '.xls')
    return 'an .xls file is the old binary Excel format: save it as .xlsx (or CSV) and import that';
  if (ext === '.ndjson' || ext === '.jsonl' || ext === '.json') return 'ndjson';
  return `cannot tell the format of "${file}" from its extension; pass --format ndjson, csv or xlsx`;
}

async function runImport(flags: Flags, args: readonly string[], io: Output): Promise<number> {
  const usage = (msg: string) => {
    io.err(`wxtrack import: ${msg}\n`);
    return 2;
  };
  if (args.length !== 1) return usage('expected one FILE (or - for stdin)');
  const loaded = loadImportConfig(flags);
  if (!loaded.ok) return usage(loaded.errors.join('; '));
  const ingest = loadIngestConfig(flags);
  if (!ingest.ok) return usage(ingest.errors.join('; '));
  const { store: spec, carrierId, timezone, cellKeys, cells } = loaded.config;
  const batchSize = Number(flags['batch-size'] ?? 10_000);
  if (!Number.isInteger(batchSize) || batchSize < 1) return usage('--batch-size must be a positive integer');
  const interval = Number(flags['progress-interval'] ?? 5);
  if (!Number.isFinite(interval) || interval < 0)
    return usage('--progress-interval must be seconds, 0 or more');
  const encoding = typeof flags.encoding === 'string' ? flags.encoding : 'utf8';
  if (!isKnownEncoding(encoding)) return usage(`--encoding: unknown encoding "${encoding}"`);
  const file = args[0]!;
  const format = formatOf(file, flags.format);
  if (format !== 'ndjson' && format !== 'csv' && format !== 'xlsx' && format !== 'auto') return usage(format);
  if (format === 'xlsx' && file === '-') return usage('an .xlsx workbook is read from a file, not stdin');
  let readFormat: ImportFormat = format === 'auto' ? 'ndjson' : format;

  let totalBytes: number | undefined;
  if (file !== '-') {
    try {
      const st = statSync(file);
      if (st.isFile()) totalBytes = st.size;
    } catch (err) {
      return usage(`cannot read ${file}: ${(err as Error).message}`);
    }
  }
  const input = file === '-' ? process.stdin : createReadStream(file, { highWaterMark: 256 * 1024 });
  // A read error also reaches the reading loop, which reports it; this only keeps it from being
  // an unhandled 'error' event should it fire before the loop starts.
  input.on('error', () => {});

  const store = await openStore(spec, {
    create: flags.create === true,
    clock: systemClock,
    // Re-running a file stores what a crash lost: no batch waits for the WAL flush.
    rerunnable: true,
  });
  const counter = { bytes: 0 };
  const tty = process.stderr.isTTY === true;
  const progress = new ProgressReporter({
    clock: systemClock,
    write: (t) => io.err(t),
    tty,
    lineIntervalMs: interval * 1000,
  });
  const quiet = flags.quiet === true;
  let summary: ImportSummary;
  try {
    let text: AsyncIterable<string> = decodeText(input, encoding, counter);
    if (format === 'auto') {
      // stdin has no extension: its first character tells NDJSON ({) from a CSV header.
      const sniffed = await sniffFormat(text);
      readFormat = sniffed.format;
      text = sniffed.text;
    }
    const records =
      readFormat === 'xlsx'
        ? xlsxRecords(file, ingest.config.csvMap)
        : readFormat === 'csv'
          ? csvRecords(text, ingest.config.csvMap)
          : ndjsonRecords(text);
    summary = await importRecords(records, store, {
      carrier: carrierId,
      timeZone: timezone,
      ...(cellKeys === undefined ? {} : { cellKeys }),
      waybill: loaded.config.waybill,
      ...(cells === undefined ? {} : { cellLinks: new Map(cells.map((c) => [c.key, c.link])) }),
      onWarn: (line, warning) =>
        io.err(`${tty && !quiet ? '\r\x1b[K' : ''}line ${line}: warning: ${warning}\n`),
      // The carrier's own scan codes (its eventCodes in the file) win over --event-codes.
      codes: ingestInForce(loaded.config, ingest.config).eventCodes,
      batchSize,
      onReject: (line, reason) => io.err(`${tty && !quiet ? '\r\x1b[K' : ''}line ${line}: ${reason}\n`),
      onProgress: quiet ? undefined : (s) => progress.update(counter.bytes, totalBytes, s),
    });
  } catch (err) {
    progress.finish();
    if (err instanceof CsvHeaderError || err instanceof EncodingError) return usage(err.message);
    io.err(
      `wxtrack import: stopped: ${(err as Error).message} (what was committed stays; re-run to resume)\n`,
    );
    return 1;
  } finally {
    input.destroy();
    await store.close();
  }
  progress.finish();
  const elapsedMs = progress.elapsed();
  if (flags.json === true) {
    io.out(
      JSON.stringify({
        file,
        format: readFormat,
        encoding,
        carrier: carrierId,
        ...summary,
        bytes: counter.bytes,
        elapsed_ms: elapsedMs,
        events_per_second: elapsedMs > 0 ? Math.round((summary.read * 1000) / elapsedMs) : null,
        // Peak resident memory of this process: evidence that memory does not grow with the file.
        max_rss_bytes: process.resourceUsage().maxRSS * 1024,
        // CPU time of the whole process: on a busy machine, events per CPU-second is the fairer rate.
        cpu_ms: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000),
      }) + '\n',
    );
  } else {
    io.out(
      `read ${summary.read}, inserted ${summary.inserted}, duplicates ${summary.duplicates}, rejected ${summary.rejected}` +
        (summary.conflicts > 0 ? ` (${summary.conflicts} conflicts)` : '') +
        (summary.warnings > 0 ? `, warnings ${summary.warnings}` : '') +
        '\n',
    );
  }
  return summary.rejected > 0 ? 1 : 0;
}
