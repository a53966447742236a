/**
 * @module
 * `node bench/store/sqlite-ab.mjs`: the SQLite store of several builds side by side, in one run,
 * rounds interleaved (the machine is shared: compare ratios, not absolute figures). For each
 * build (BENCH_ROOTS, comma-separated checkouts with `dist/` built; default this one), into an
 * empty database:
 * - new: BENCH_EVENTS (default 200,000) time-ordered events (scan k of every waybill before scan
 *   k+1 of any, 8 scans), in batches of 500 as the push API hands them over;
 * - half-duplicate: batches of 500 whose first 250 were stored already (a full-trace resend);
 * - all-duplicate: the first 100,000 again;
 * - disk: bytes per event after a checkpoint, tables and indexes counted.
 * Reports events/s and events per CPU-second of each phase, and the load average.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { eventsOf } from '../track/gen-db.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const BATCH = 500;
const roots = (process.env.BENCH_ROOTS ?? '.').split(',').map((r) => resolve(r));
const clock = { now: () => Date.now() };

const WAYBILLS = EVENTS / 8;
const endBefore = Date.UTC(2026, 11, 1);
const per = Array.from({ length: WAYBILLS * 2 }, (_, w) => eventsOf(w, endBefore));
const timeOrdered = (from, to) => {
  const out = [];
  for (let k = 0; k < 8; k++) for (let w = from; w < to; w++) out.push(per[w][k]);
  return out;
};
const feed = timeOrdered(0, WAYBILLS);
// Half-duplicate batches: 250 stored events beside 250 new ones (waybills after the first feed).
const fresh = timeOrdered(WAYBILLS, WAYBILLS * 2);
const half = [];
for (let i = 0; i < EVENTS; i += BATCH / 2)
  half.push([...feed.slice(i, i + BATCH / 2), ...fresh.slice(i, i + BATCH / 2)]);
const batches = (events) => {
  const out = [];
  for (let i = 0; i < events.length; i += BATCH) out.push(events.slice(i, i + BATCH));
  return out;
};

async function open(root, path) {
  const { SqliteStore } = await import(pathToFileURL(join(root, 'dist/store/sqlite/sqlite-store.js')).href);
  let renderer;
  try {
    const { makeRenderer } = await import(pathToFileURL(join(root, 'dist/store/renderer.js')).href);
    renderer = makeRenderer(() => 'Asia/Shanghai'); // builds that render on write
  } catch {
    renderer = undefined;
  }
  return new SqliteStore({ path, create: true, clock, ...(renderer ? { renderer } : {}) });
}

async function phase(store, list) {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let n = 0;
  for (const b of list) {
    await (store.append ? store.append('default', b) : store.ingest('default', b));
    n += b.length;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { rate: n / s, perCpu: n / ((c.user + c.system) / 1e6) };
}

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-sqlite-ab-'));
const results = new Map(roots.map((r) => [r, []]));
console.log(
  `${EVENTS} events over ${WAYBILLS} waybills, batches of ${BATCH}; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const root of roots) {
      const path = join(dir, `r${round}-${results.get(root).length}.db`);
      const store = await open(root, path);
      const r = {
        new: await phase(store, batches(feed)),
        half: await phase(store, half),
        dup: await phase(store, batches(feed.slice(0, 100_000))),
      };
      await store.close();
      const Database = (await import('better-sqlite3')).default;
      const db = new Database(path);
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
      r.bytesPerEvent =
        readdirSync(dir)
          .filter((f) => f.startsWith(`r${round}-${results.get(root).length}.db`))
          .reduce((a, f) => a + statSync(join(dir, f)).size, 0) /
        (EVENTS * 1.5);
      results.get(root).push(r);
      for (const f of readdirSync(dir)) rmSync(join(dir, f));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const first = roots[0];
const row = (root, key, f) => med(results.get(root).map((r) => f(r[key] ?? r)));
for (const root of roots) {
  const get = (k, f) => row(root, k, f);
  const rel = (k) => (get(k, (p) => p.perCpu) / row(first, k, (p) => p.perCpu)).toFixed(2);
  console.log(
    `${root}\n` +
      `  new        ${fmt(get('new', (p) => p.rate))} events/s, ${fmt(get('new', (p) => p.perCpu))} per CPU-s (x${rel('new')} of the first)\n` +
      `  half-dup   ${fmt(get('half', (p) => p.rate))} events/s, ${fmt(get('half', (p) => p.perCpu))} per CPU-s (x${rel('half')}); ` +
      `${(get('half', (p) => p.perCpu) / get('new', (p) => p.perCpu)).toFixed(2)}x its new-event rate\n` +
      `  all-dup    ${fmt(get('dup', (p) => p.rate))} events/s, ${fmt(get('dup', (p) => p.perCpu))} per CPU-s (x${rel('dup')}); ` +
      `${(get('dup', (p) => p.perCpu) / get('new', (p) => p.perCpu)).toFixed(2)}x its new-event rate\n` +
      `  disk       ${get('bytesPerEvent', (b) => b).toFixed(0)} bytes per event`,
  );
}
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
