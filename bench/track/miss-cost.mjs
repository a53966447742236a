// What a reply-view miss costs beyond a hit, stage by stage, on random waybills of a bench
// database (gen-db.mjs), as `serve` pays it for a stranger's query:
//
//   - read:    the store's two reads (the waybill's events and attributes, and its owners);
//   - render:  the masked reply's JSON (privacy/tiered-render.ts), as UTF-8 bytes;
//   - deflate: the stored form (view/deflated-reply.ts);
//   - put:     the entry written into an LMDB reply view (one transaction per 64 entries, as the
//              fills of one event-loop turn are batched);
//   - hit:     what a hit does instead: the view's read, the value's check and the gzip splice.
//
// A miss costs read + render + deflate + put beyond a hit (its own view read finds nothing and
// it sends the same splice). The read belongs to the store; render, deflate and put to the reply
// path. With BENCH_BASELINE (another built checkout, as in run.mjs) the same stages run on its
// code too, round by round interleaved, so "before" and "after" come from one run.
//
//   BENCH_WAYBILLS=200000 node bench/track/miss-cost.mjs
//   BENCH_BASELINE=/tmp/base BENCH_WAYBILLS=200000 node bench/track/miss-cost.mjs
//
// Bounded: BENCH_MISSES calls per round (default 5,000) after 500 warm-up calls, BENCH_MISS_ROUNDS
// rounds (default 3). Figures are per call: p50 of wall time (µs), and the CPU time of the stage's
// loop divided by its calls.
//
// BENCH_WAYBILL_PREFIX=IT reads a database made by `import` of bench:ingest's time-shaped file
// instead (waybills IT + 11 digits), such as the 10M scale run's (with BENCH_DB naming it).
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { CARRIER, ROOT, dbPathFor, envInt, waybillOf } from './common.mjs';

const waybills = envInt('BENCH_WAYBILLS', 1_000_000);
const calls = envInt('BENCH_MISSES', 5_000);
const rounds = envInt('BENCH_MISS_ROUNDS', 3);
const path = process.env.BENCH_DB ?? dbPathFor(waybills);
const prefix = process.env.BENCH_WAYBILL_PREFIX;
const numberOf = prefix ? (i) => `${prefix}${String(i).padStart(11, '0')}` : waybillOf;
const STAGES = ['read', 'render', 'deflate', 'put', 'hit'];

async function side(root) {
  const load = (p) => import(pathToFileURL(join(root, 'dist', p)).href);
  const { SqliteStore } = await load('store/sqlite/sqlite-store.js');
  const { oneZone } = await load('reply/render-on-read.js');
  const { renderTierJson } = await load('privacy/tiered-render.js');
  const { DEFAULT_PRIVACY } = await load('privacy/privacy-rules.js');
  const { deflateReply, gzipJsonp, isIntactReply, jsonpOpener } = await load('view/deflated-reply.js');
  const { LmdbReplyView } = await load('view/lmdb/lmdb-view.js');
  const store = new SqliteStore({ path, clock: { now: () => Date.now() }, readonly: true });
  const dir = mkdtempSync(join(tmpdir(), 'wxtrack-miss-cost-'));
  const view = new LmdbReplyView({ path: join(dir, 'view.mdb') });
  const mark = { store: 'bench', seq: 0, tag: 't0' };
  await view.reset(mark);
  const options = oneZone()();
  const opener = jsonpOpener('WxOrderCb');
  let seed = Number(process.env.MISS_COST_SEED ?? 12345);
  const next = () => (seed = (seed * 48271) % 2147483647);

  /** One round: `n` waybills through every stage; per stage the wall times and the loop's CPU. */
  async function round(n) {
    const wbs = Array.from({ length: n }, () => numberOf(next() % waybills));
    const out = Object.fromEntries(STAGES.map((s) => [s, { wall: [], cpu: 0 }]));
    const timed = async (stage, items, f) => {
      const results = [];
      const c0 = process.cpuUsage();
      for (const item of items) {
        const t0 = process.hrtime.bigint();
        results.push(await f(item));
        out[stage].wall.push(Number(process.hrtime.bigint() - t0) / 1000);
      }
      const c = process.cpuUsage(c0);
      out[stage].cpu = (c.user + c.system) / items.length;
      return results;
    };
    const states = await timed('read', wbs, async (wb) => {
      const [state, owners] = await Promise.all([
        store.readWaybill(CARRIER, wb),
        store.ownersOf(CARRIER, wb),
      ]);
      return { wb, state, owners };
    });
    const found = states.filter((s) => s.state !== undefined);
    const jsons = await timed('render', found, (s) =>
      Buffer.from(renderTierJson(s.state, options, 'masked', DEFAULT_PRIVACY)),
    );
    const stored = await timed('deflate', jsons, (j) => deflateReply(j));
    const entries = stored.map((value, i) => ({ carrier: CARRIER, waybill: found[i].wb, value }));
    const batches = [];
    for (let i = 0; i < entries.length; i += 64) batches.push(entries.slice(i, i + 64));
    const c0 = process.cpuUsage();
    for (const batch of batches) {
      const t0 = process.hrtime.bigint();
      if (!(await view.fill(mark, batch))) throw new Error('the view refused a fill');
      const us = Number(process.hrtime.bigint() - t0) / 1000 / batch.length;
      for (let i = 0; i < batch.length; i++) out.put.wall.push(us);
    }
    const c = process.cpuUsage(c0);
    out.put.cpu = (c.user + c.system) / entries.length;
    await timed('hit', found, (s) => {
      const v = view.get(CARRIER, s.wb);
      if (v === undefined || !isIntactReply(v)) throw new Error('the view lost ' + s.wb);
      return gzipJsonp(opener, v);
    });
    return { out, found: found.length };
  }
  await round(500); // warm-up: JIT, first pages
  return {
    round,
    close: async () => {
      await view.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// Each side runs in a child process of its own, one per round (two copies of LMDB's native
// module in one process do not get along), rounds interleaved: before, after, before, after...
if (process.env.MISS_COST_SIDE) {
  const s = await side(process.env.MISS_COST_SIDE);
  const { out, found } = await s.round(calls);
  await s.close();
  console.log('MISS_COST ' + JSON.stringify({ out, found }));
  process.exit(0);
}
const sideRoots = [['after', ROOT]];
if (process.env.BENCH_BASELINE) sideRoots.unshift(['before', process.env.BENCH_BASELINE]);
const all = new Map(
  sideRoots.map(([l]) => [l, Object.fromEntries(STAGES.map((k) => [k, { wall: [], cpu: [] }]))]),
);
let found = 0;
for (let r = 0; r < rounds; r++) {
  for (const [label, root] of sideRoots) {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
      env: { ...process.env, MISS_COST_SIDE: root, MISS_COST_SEED: String(1000 + r) },
      encoding: 'utf8',
      timeout: 600_000,
    });
    const line = child.stdout.split('\n').find((l) => l.startsWith('MISS_COST '));
    if (line === undefined) throw new Error(`${label}: ${child.stderr || child.stdout}`);
    const { out, found: f } = JSON.parse(line.slice('MISS_COST '.length));
    found = f;
    for (const k of STAGES) {
      all.get(label)[k].wall.push(...out[k].wall);
      all.get(label)[k].cpu.push(out[k].cpu);
    }
  }
}
const pct = (xs, p) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const f1 = (x) => x.toFixed(1).padStart(7);
console.log(
  `miss cost on ${path}: ${rounds} round(s) of ${calls} random waybills over ${waybills} (${found} found in the last); ` +
    `load average ${loadavg()[0].toFixed(1)}`,
);
console.log('side    stage     wall p50   wall p99   CPU/call (median of rounds), µs');
const med = (xs) => pct(xs, 50);
for (const [label, st] of all) {
  for (const k of STAGES) {
    console.log(
      `${label.padEnd(7)} ${k.padEnd(8)} ${f1(pct(st[k].wall, 50))}    ${f1(pct(st[k].wall, 99))}    ${f1(med(st[k].cpu))}`,
    );
  }
  const ours = (m) => m(st.render) + m(st.deflate) + m(st.put);
  const p50 = (x) => pct(x.wall, 50);
  const cpu = (x) => med(x.cpu);
  console.log(
    `${label.padEnd(7)} beyond a hit: render + deflate + put ${ours(p50).toFixed(1)} µs p50 (CPU ${ours(cpu).toFixed(1)}); ` +
      `with the store's read ${(ours(p50) + p50(st.read)).toFixed(1)} µs p50 (CPU ${(ours(cpu) + cpu(st.read)).toFixed(1)}); ` +
      `goal <= 50 µs`,
  );
}
