/**
 * @module
 * `npm run bench:store`: store ingest throughput, SQLite against PostgreSQL, in one run. Each
 * store takes the same 100,000 events (20,000 waybills, five scans each, in time order) in
 * batches of 500, as the push API hands them over; PostgreSQL also with two writers at once
 * (two pools, as two nodes). Prints events/s; every write includes the change log.
 *
 * PostgreSQL: WXTRACK_BENCH_POSTGRES_URL, default the local server's `test` database; the run
 * works in a schema of its own and drops it. Uses dist/ (`npm run build`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPostgresPool } from '../../dist/store/postgres/postgres-pool.js';
import { PostgresStore } from '../../dist/store/postgres/postgres-store.js';
import { SqliteStore } from '../../dist/store/sqlite/sqlite-store.js';

const URL_ = process.env.WXTRACK_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const EVENTS = Number(process.env.WXTRACK_BENCH_EVENTS ?? 100_000);
const WAYBILLS = EVENTS / 5;
const BATCH = 500;
const T0 = Date.UTC(2026, 6, 1);
const clock = { now: () => Date.now() };

/** Batches of events, scan k of every waybill before scan k+1 of any: the live-push shape. */
function batches(prefix) {
  const events = [];
  for (let k = 0; k < 5; k++) {
    for (let w = 0; w < WAYBILLS; w++) {
      events.push({
        waybill: `${prefix}${String(w).padStart(10, '0')}`,
        eventId: `${prefix}-${w}-${k}`,
        time: T0 + k * 3_600_000 + w,
        status: k === 4 ? 4 : Math.min(k + 1, 3),
        label: k === 4 ? '已签收' : '运输中',
        description: `快件离开【河北永清县】已发往【贵阳】 ${k}`,
        location: '河北永清县',
        eta: k === 0 ? '2026-07-08' : undefined,
        cells: undefined,
      });
    }
  }
  const out = [];
  for (let i = 0; i < events.length; i += BATCH) out.push(events.slice(i, i + BATCH));
  return out;
}

async function timed(label, writers) {
  const started = process.hrtime.bigint();
  const counts = await Promise.all(
    writers.map(async ({ store, work }) => {
      let n = 0;
      for (const b of work) n += (await store.append('yto', b)).filter((o) => o === 'inserted').length;
      return n;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const events = counts.reduce((a, b) => a + b, 0);
  console.log(
    `${label.padEnd(34)} ${String(events).padStart(7)} events in ${seconds.toFixed(1)} s: ${Math.round(events / seconds)} events/s`,
  );
}

async function admin(sql) {
  const c = new pg.Client({ connectionString: URL_ });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-bench-store-'));
const schema = `wxtrack_bench_${randomBytes(4).toString('hex')}`;
try {
  const lite = new SqliteStore({ path: join(dir, 'bench.db'), create: true, clock });
  await timed('SQLite, 1 writer', [{ store: lite, work: batches('SQ') }]);
  await lite.close();

  await admin(`CREATE SCHEMA ${schema}`);
  const open = () => PostgresStore.open({ pool: createPostgresPool({ url: URL_, schema, max: 2 }), clock });
  const [a, b] = [await open(), await open()];
  await timed('PostgreSQL, 1 writer', [{ store: a, work: batches('PA') }]);
  // Two nodes, each its own waybills, half the events each.
  const two = batches('PB');
  await timed('PostgreSQL, 2 writers (2 pools)', [
    { store: a, work: two.filter((_, i) => i % 2 === 0) },
    { store: b, work: two.filter((_, i) => i % 2 === 1) },
  ]);
  await a.close();
  await b.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
  await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
}
