// Copies the events of a generated bench database (SQLite) into a PostgreSQL database through
// `wxtrack import`, so the PostgreSQL+Redis mode of `npm run bench` (BENCH_PG_SERVE) serves the
// same waybills. Usage:
//   node bench/track/load-postgres.mjs .bench-cache/track-v1-20000.db postgres://postgres@127.0.0.1/wxbench
// The database must exist (createdb); the import creates the tables. Prints the import's summary.
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { ROOT } from './common.mjs';

const [source, url] = process.argv.slice(2);
if (!source || !url) {
  console.error('usage: node bench/track/load-postgres.mjs SQLITE_DB POSTGRES_URL');
  process.exit(2);
}
const db = new Database(source, { readonly: true });
const importer = spawn(process.execPath, [join(ROOT, 'bin/wxtrack.js'), 'import', '-', '--db', url], {
  stdio: ['pipe', 'inherit', 'inherit'],
});
const rows = db
  .prepare(
    'SELECT event_id, waybill, time_ms, status, label, description, location, eta, cells FROM events ORDER BY seq',
  )
  .iterate();
let chunk = '';
for (const r of rows) {
  chunk +=
    JSON.stringify({
      waybill: r.waybill,
      event_id: r.event_id,
      time: new Date(r.time_ms).toISOString(),
      status: r.status,
      label: r.label,
      description: r.description,
      ...(r.location ? { location: r.location } : {}),
      ...(r.eta ? { eta: r.eta } : {}),
      ...(r.cells ? { cells: JSON.parse(r.cells) } : {}),
    }) + '\n';
  if (chunk.length > 1 << 20) {
    if (!importer.stdin.write(chunk)) await new Promise((resolve) => importer.stdin.once('drain', resolve));
    chunk = '';
  }
}
importer.stdin.end(chunk);
const code = await new Promise((resolve) => importer.once('exit', resolve));
process.exit(code ?? 1);
