/**
 * @module
 * `wxtrack import FILE.ndjson`: loads scan events in batched transactions. Safe to re-run: events
 * already stored count as duplicates.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadImportConfig, type Flags } from '../../config.js';
import { importEventLines } from '../../ingest/import-events.js';
import { makeCarrierRenderer } from '../../store/renderer.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { systemClock } from '../../clock/clock.js';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'load scan events from an NDJSON file (- for stdin)',
  usage: `wxtrack import FILE.ndjson [--db PATH] [--carrier ID] [--timezone TZ] [--config FILE]

  With a configuration file (--config or WXTRACK_CONFIG), --carrier picks one of its carriers
  (optional when there is one); its zone, trace layout and registered cell keys apply, and an
  event naming an unregistered cell key is rejected.

  Prints counts (read, inserted, duplicates, rejected); each rejected line is reported on stderr
  with its line number and reason. Exits 1 if any line was rejected, 2 on a usage error.`,
  options: {
    config: { type: 'string' },
    db: { type: 'string' },
    carrier: { type: 'string' },
    timezone: { type: 'string' },
    'batch-size': { type: 'string' },
  },
  positionals: true,
  run: runImport,
};

async function runImport(flags: Flags, args: readonly string[], io: Output): Promise<number> {
  if (args.length !== 1) {
    io.err('wxtrack import: expected one FILE (or - for stdin)\n');
    return 2;
  }
  const loaded = loadImportConfig(flags);
  if (!loaded.ok) {
    io.err(`wxtrack import: ${loaded.errors.join('; ')}\n`);
    return 2;
  }
  const { dbPath, carrierId, timezone, cellKeys, trace } = loaded.config;
  const batchSize = Number(flags['batch-size'] ?? 2000);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    io.err('wxtrack import: --batch-size must be a positive integer\n');
    return 2;
  }
  const file = args[0]!;
  const input = file === '-' ? process.stdin : createReadStream(file);
  const opened = new Promise<void>((resolve, reject) => {
    if (file === '-') resolve();
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    io.err(`wxtrack import: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  if (dbPath !== ':memory:') mkdirSync(dirname(dbPath), { recursive: true });
  const store = new SqliteStore({
    path: dbPath,
    clock: systemClock,
    renderer: makeCarrierRenderer(() => ({
      timeZone: timezone,
      traceOrder: trace.order,
      address: trace.address,
    })),
  });
  try {
    const lines = createInterface({ input, crlfDelay: Infinity });
    const summary = await importEventLines(lines, store, {
      carrier: carrierId,
      timeZone: timezone,
      ...(cellKeys === undefined ? {} : { cellKeys }),
      batchSize,
      onReject: (line, reason) => io.err(`line ${line}: ${reason}\n`),
    });
    io.out(
      `read ${summary.read}, inserted ${summary.inserted}, duplicates ${summary.duplicates}, rejected ${summary.rejected}\n`,
    );
    return summary.rejected > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
