/**
 * @module
 * `npm run bench:store:postgres`: the PostgreSQL write path of this tree beside earlier builds,
 * in one run, so that a busy shared machine slows every build alike and the ratios hold.
 *
 * Builds: this tree ("this") and WXTRACK_BENCH_BUILDS, `label=dir,label=dir` (each a checkout
 * with dist/ built and node_modules, e.g. `git worktree add /tmp/pg-base 30a54ac`). Each build
 * works in a schema (and, for import, a database) of its own, dropped afterwards. Cases, for
 * every build in turn:
 * - `1 writer`: 100,000 new events (20,000 waybills × 5 scans, scan k of every waybill before
 *   scan k+1 of any: the live-push shape) in batches of 500, one pool;
 * - `2 pools`: the same count through two pools at once (two nodes), each its own waybills;
 * - `new` vs `50 % dup`: 20,000 more waybills, 4 scans each in batches of 500, all new; and
 *   20,000 waybills whose scans 0–1 were stored first (untimed), resent whole with scans 2–3
 *   (Kdniao's 全量推送): half of every batch is duplicates. From the two times, what one
 *   duplicate costs against one new event: d/c = 2·T(dup)/T(new) − 1;
 * - bytes/event: every relation of the schema (tables, indexes, TOAST) over the events stored;
 * - `import`: each build's own `wxtrack import --db postgres://…` of 400,000 time-ordered events
 *   over 50,000 waybills (8 scans each, one scan of every waybill before the next of any) into a
 *   fresh database; events/s and the importer's peak RSS (VmHWM, sampled every 50 ms).
 *
 * Store cases run WXTRACK_BENCH_ROUNDS rounds (default 3), every build in turn within a round; the
 * best round of each build is reported.
 *
 * PostgreSQL: WXTRACK_BENCH_POSTGRES_URL (default the local server's `test` database).
 * WXTRACK_BENCH_PREFIX names the schemas and databases (default `wtpg_bench`).
 * WXTRACK_BENCH_CASES picks cases (default `store,import`).
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';

const HERE = fileURLToPath(new URL('../../', import.meta.url));
const URL_ = process.env.WXTRACK_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PREFIX = process.env.WXTRACK_BENCH_PREFIX ?? 'wtpg_bench';
const CASES = (process.env.WXTRACK_BENCH_CASES ?? 'store,import').split(',');
const BATCH = 500;
const T0 = Date.UTC(2026, 6, 1);
const clock = { now: () => Date.now() };
const builds = [
  { label: 'this', dir: HERE },
  ...(process.env.WXTRACK_BENCH_BUILDS ?? '')
    .split(',')
    .filter(Boolean)
    .map((s) => {
      const [label, dir] = s.split('=');
      return { label, dir: resolve(dir) };
    }),
];
const fmt = (n) => Math.round(n).toLocaleString('en-US');

async function admin(sql, url = URL_) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(sql);
  } finally {
    await c.end();
  }
}

async function load(dir) {
  const mod = (p) => import(pathToFileURL(join(dir, 'dist', p)).href);
  const [{ createPostgresPool }, { PostgresStore }] = await Promise.all([
    mod('store/postgres/postgres-pool.js'),
    mod('store/postgres/postgres-store.js'),
  ]);
  // The previous release rendered replies on write and took a renderer.
  const renderer = existsSync(join(dir, 'dist/store/renderer.js'))
    ? (await mod('store/renderer.js')).makeRenderer(() => 'Asia/Shanghai')
    : undefined;
  return { createPostgresPool, PostgresStore, renderer };
}

const scan = (prefix, w, k) => ({
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

/** Batches of `scans` of `waybills` waybills, scan k of every waybill before scan k+1 of any. */
function liveBatches(prefix, waybills, scans) {
  const events = [];
  for (const k of scans) for (let w = 0; w < waybills; w++) events.push(scan(prefix, w, k));
  const out = [];
  for (let i = 0; i < events.length; i += BATCH) out.push(events.slice(i, i + BATCH));
  return out;
}

/** Batches of whole traces: each waybill's `scans` side by side (a full-trace resend). */
function traceBatches(prefix, waybills, scans) {
  const events = [];
  for (let w = 0; w < waybills; w++) for (const k of scans) events.push(scan(prefix, w, k));
  const out = [];
  for (let i = 0; i < events.length; i += BATCH) out.push(events.slice(i, i + BATCH));
  return out;
}

const appendOf = (store) => (store.append ?? store.ingest).bind(store);

async function timed(writers) {
  const started = process.hrtime.bigint();
  const counts = await Promise.all(
    writers.map(async ({ store, work }) => {
      const append = appendOf(store);
      let n = 0;
      for (const b of work) n += (await append('yto', b)).length;
      return n;
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const events = counts.reduce((a, b) => a + b, 0);
  return { events, seconds, rate: events / seconds };
}

/** Opens a build's two stores in a schema of its own. */
async function openBuild(build) {
  const { createPostgresPool, PostgresStore, renderer } = await load(build.dir);
  const schema = `${PREFIX}_${build.label}_${randomBytes(3).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  const open = () =>
    PostgresStore.open({ pool: createPostgresPool({ url: URL_, schema, max: 2 }), clock, renderer });
  return { schema, a: await open(), b: await open() };
}

async function closeBuild(s) {
  await s.a.close();
  await s.b.close();
  await admin(`DROP SCHEMA IF EXISTS ${s.schema} CASCADE`).catch(() => undefined);
}

/**
 * The store cases of one round for one build; `r` keeps each round's waybills apart. Bytes per
 * event are read after the first round's first case, when the schema holds only its events.
 */
async function storeRound(s, r) {
  const out = {};
  out.one = await timed([{ store: s.a, work: liveBatches(`A${r}`, 20_000, [0, 1, 2, 3, 4]) }]);
  if (r === 0) {
    const size = await admin(
      `SELECT SUM(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = '${s.schema}' AND c.relkind IN ('r', 'm')`,
    );
    out.bytesPerEvent = Number(size.rows[0].bytes) / out.one.events;
  }
  const two = liveBatches(`B${r}`, 20_000, [0, 1, 2, 3, 4]);
  out.two = await timed([
    { store: s.a, work: two.filter((_, i) => i % 2 === 0) },
    { store: s.b, work: two.filter((_, i) => i % 2 === 1) },
  ]);
  out.fresh = await timed([{ store: s.a, work: traceBatches(`N${r}`, 20_000, [0, 1, 2, 3]) }]);
  await timed([{ store: s.a, work: traceBatches(`D${r}`, 20_000, [0, 1]) }]);
  out.dup = await timed([{ store: s.a, work: traceBatches(`D${r}`, 20_000, [0, 1, 2, 3]) }]);
  return out;
}

// ---- import ------------------------------------------------------------------------------
const IMPORT_EVENTS = Number(process.env.WXTRACK_BENCH_IMPORT_EVENTS ?? 400_000);
const IMPORT_WAYBILLS = IMPORT_EVENTS / 8;
const STATUS = [1, 2, 2, 2, 2, 3, 3, 4];

async function writeImportFile(path) {
  const out = createWriteStream(path);
  let buf = '';
  for (let i = 0; i < IMPORT_EVENTS; i++) {
    const n = i % IMPORT_WAYBILLS;
    const k = Math.floor(i / IMPORT_WAYBILLS);
    const w = `IT${String(n).padStart(11, '0')}`;
    buf +=
      JSON.stringify({
        waybill: w,
        event_id: `${w}-${k}`,
        time: new Date(T0 + n * 1000 + k * 3_600_000).toISOString(),
        status: STATUS[k],
        description: `快件离开【河北永清县】已发往【贵阳】第${k}站`,
        location: '河北永清县',
      }) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  await new Promise((r) => out.end(buf, r));
}

function peakRss(pid) {
  let peak = 0;
  const t = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) peak = Math.max(peak, Number(m[1]) * 1024);
    } catch {
      // ended
    }
  }, 50);
  return () => (clearInterval(t), peak);
}

async function importCase(build, file) {
  const db = `${PREFIX}_import_${build.label}`.toLowerCase();
  await admin(`DROP DATABASE IF EXISTS ${db}`);
  await admin(`CREATE DATABASE ${db}`);
  const url = new URL(URL_);
  url.pathname = '/' + db;
  try {
    const child = spawn(
      process.execPath,
      [
        join(build.dir, 'bin/wxtrack.js'),
        'import',
        file,
        '--db',
        url.toString(),
        '--carrier',
        'yto',
        '--json',
        '--quiet',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WXTRACK_CARRIER_ID: 'yto' } },
    );
    const rss = peakRss(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.on('close', r));
    const peak = rss();
    if (code !== 0) throw new Error(`${build.label} import failed (${code}): ${stderr.slice(0, 1000)}`);
    const s = JSON.parse(stdout);
    return {
      events: s.read,
      inserted: s.inserted,
      seconds: s.elapsed_ms / 1000,
      rate: s.events_per_second,
      rss: peak,
    };
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
  }
}

// ---- run ----------------------------------------------------------------------------------
console.log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`builds: ${builds.map((b) => `${b.label}=${b.dir}`).join(', ')}`);
const results = new Map(builds.map((b) => [b.label, {}]));
const ROUNDS = Number(process.env.WXTRACK_BENCH_ROUNDS ?? 3);
if (CASES.includes('store')) {
  // Round by round, every build in turn, so a change in the machine's load falls on all of them;
  // each build's best round per case is kept (the least disturbed).
  const opened = new Map();
  for (const b of builds) opened.set(b.label, await openBuild(b));
  try {
    for (let r = 0; r < ROUNDS; r++) {
      for (const b of builds) {
        const got = await storeRound(opened.get(b.label), r);
        const best = results.get(b.label);
        for (const [k, v] of Object.entries(got)) {
          if (k === 'bytesPerEvent') best[k] = v;
          else if (!best[k] || v.rate > best[k].rate) best[k] = v;
        }
        console.log(
          `round ${r + 1} ${b.label}: ${['one', 'two', 'fresh', 'dup'].map((k) => fmt(got[k].rate)).join(' / ')} events/s (1 writer / 2 pools / new / 50 % dup); load ${loadavg()[0].toFixed(2)}`,
        );
      }
    }
  } finally {
    for (const s of opened.values()) await closeBuild(s);
  }
}
if (CASES.includes('import')) {
  const dir = mkdtempSync(join(tmpdir(), 'wxtrack-bench-pg-import-'));
  try {
    const file = join(dir, 'time.ndjson');
    await writeImportFile(file);
    for (const b of builds) results.get(b.label).import = await importCase(b, file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(
  `load average at end: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);

const base = results.get(builds[builds.length - 1].label);
const row = (name, pick, unit = '') => {
  const cells = builds.map((b) => {
    const v = pick(results.get(b.label));
    return v === undefined ? '—' : fmt(v) + unit;
  });
  const mine = pick(results.get('this'));
  const theirs = pick(base);
  const ratio = mine && theirs ? (mine / theirs).toFixed(2) + '×' : '';
  console.log(`| ${name} | ${cells.join(' | ')} | ${builds.length > 1 ? ratio : ''} |`);
};
console.log(
  `\n| figure | ${builds.map((b) => b.label).join(' | ')} | this / ${builds[builds.length - 1].label} |`,
);
console.log(`|---|${builds.map(() => '---:').join('|')}|---:|`);
if (CASES.includes('store')) {
  row('PostgreSQL 1 writer, events/s', (r) => r.one?.rate);
  row('PostgreSQL 2 pools, events/s', (r) => r.two?.rate);
  row('new events (4-scan traces), events/s', (r) => r.fresh?.rate);
  row('50 % duplicate resend, events/s', (r) => r.dup?.rate);
  for (const b of builds) {
    const r = results.get(b.label);
    if (r.dup && r.fresh) {
      const speed = r.dup.rate / r.fresh.rate;
      const dc = (2 * r.dup.seconds) / r.fresh.seconds - 1;
      console.log(
        `  ${b.label}: 50 % dup batch ${speed.toFixed(2)}× the new batch's rate; a duplicate costs ${dc.toFixed(2)} of a new event`,
      );
    }
  }
  row('bytes per event (all relations)', (r) => r.bytesPerEvent);
}
if (CASES.includes('import')) {
  row(`import --db postgres:// (${fmt(IMPORT_EVENTS)} time-ordered), events/s`, (r) => r.import?.rate);
  row('import peak RSS, MiB', (r) => r.import && r.import.rss / 1024 / 1024);
}
