// What a reply-view miss costs: one waybill read (one statement, an indexed range read of its
// events beside its attributes row), the render, and the deflate that fills the view, timed per
// call on random waybills of a bench database (gen-db.mjs). Bounded: BENCH_MISSES calls
// (default 20,000) after 2,000 warm-up calls.
//
//   BENCH_DB=.bench-cache/track-v1-1000000.db BENCH_WAYBILLS=1000000 node bench/track/miss-cost.mjs
// BENCH_WAYBILL_PREFIX=IT reads a database made by `import` of bench:ingest's time-shaped file
// instead (waybills IT + 11 digits), such as the 10M scale run's.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CARRIER, ROOT, dbPathFor, envInt, waybillOf } from './common.mjs';

const waybills = envInt('BENCH_WAYBILLS', 1_000_000);
const misses = envInt('BENCH_MISSES', 20_000);
const path = process.env.BENCH_DB ?? dbPathFor(waybills);
const prefix = process.env.BENCH_WAYBILL_PREFIX;
const numberOf = prefix ? (i) => `${prefix}${String(i).padStart(11, '0')}` : waybillOf;
const load = (p) => import(pathToFileURL(join(ROOT, 'dist', p)).href);
const { SqliteStore } = await load('store/sqlite/sqlite-store.js');
const { RenderOnRead, oneZone } = await load('reply/render-on-read.js');
const { deflateReply } = await load('view/deflated-reply.js');

const store = new SqliteStore({ path, clock: { now: () => Date.now() }, readonly: true });
const render = new RenderOnRead(store, oneZone());
let seed = 12345;
const next = () => (seed = (seed * 48271) % 2147483647);
const times = { read: [], render: [], deflate: [], total: [] };
let found = 0;
for (let i = 0; i < 2_000 + misses; i++) {
  const waybill = numberOf(next() % waybills);
  const t0 = process.hrtime.bigint();
  const state = await store.readWaybill(CARRIER, waybill);
  const t1 = process.hrtime.bigint();
  if (state === undefined) continue;
  const json = Buffer.from(render.render(CARRIER, state));
  const t2 = process.hrtime.bigint();
  deflateReply(json);
  const t3 = process.hrtime.bigint();
  if (i < 2_000) continue;
  found++;
  times.read.push(Number(t1 - t0) / 1000);
  times.render.push(Number(t2 - t1) / 1000);
  times.deflate.push(Number(t3 - t2) / 1000);
  times.total.push(Number(t3 - t0) / 1000);
}
await store.close();
const pct = (xs, p) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
console.log(`miss cost on ${path}: ${found} waybills found of ${misses} asked (random over ${waybills})`);
for (const [k, xs] of Object.entries(times)) {
  console.log(`${k.padEnd(8)} p50 ${pct(xs, 50).toFixed(1)} µs   p99 ${pct(xs, 99).toFixed(1)} µs`);
}
