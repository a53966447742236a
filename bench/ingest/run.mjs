/**
 * @module
 * `npm run bench:ingest`: ingest throughput on SQLite, in one run, for two shapes of input:
 * - `waybill`: a waybill's 8 events side by side (a backfill grouped by parcel);
 * - `time`: a courier's daily export, in time order: each waybill's scans spread through the
 *   file, one event per waybill per batch, so every batch extends thousands of stored replies
 *   (issue 8: the waybill shape flattered import about 4x).
 * For each shape: 1. file import of NDJSON, 2. file import of CSV (each `wxtrack import` in its
 * own process), 3. HTTP push: `wxtrack serve` on 127.0.0.1, several concurrent senders posting
 * batches of 500. Prints events/s, events per CPU-second and memory of the process doing the
 * work, and writes a JSON result file.
 *
 * Memory: peak VmHWM (all resident pages, the database's file mapping included: SQLite maps up to
 * 2 GiB of it) and peak RssAnon (resident anonymous memory: the JS heap, buffers, SQLite's page
 * cache; not the mapping), both sampled from /proc/PID/status every 50 ms. The goal (import
 * memory <= 256 MiB, not counting the database's file mapping) is judged on RssAnon.
 *
 * The database: a copy of the foundation bench's 1M-waybill database when one is found
 * (.bench-cache/track-v1-1000000.db, or WXTRACK_BENCH_BASE_DB), else a fresh one; the output
 * says which. New events go to new waybill numbers (IN…, CN…, PN… in the waybill shape; IT…,
 * CT…, PT… in the time shape), so every phase shares one copy. Every loop is bounded in count and in time; the only target is 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request, Agent } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/wxtrack.js');
const CACHE = join(ROOT, '.bench-cache');
const env = (name, fallback) => (process.env[name] ? Number(process.env[name]) : fallback);
const FILE_EVENTS = env('BENCH_FILE_EVENTS', 1_000_000);
const SHAPES = (process.env.BENCH_SHAPES ?? 'waybill,time').split(',');
for (const s of SHAPES)
  if (s !== 'waybill' && s !== 'time') throw new Error(`BENCH_SHAPES: unknown shape ${s}`);
const PUSH_EVENTS = env('BENCH_PUSH_EVENTS', 400_000);
const PUSH_BATCH = 500;
const SENDERS = env('BENCH_SENDERS', 4);
const PUSH_SECONDS = env('BENCH_PUSH_SECONDS', 60);
const PER_WAYBILL = 8;
const fmt = (n) => Math.round(n).toLocaleString('en-US');
const mib = (b) => (b / 1024 / 1024).toFixed(0) + ' MiB';

if (!existsSync(BIN) || !existsSync(join(ROOT, 'dist/cli/main.js'))) {
  console.error('bench:ingest: run `npm run build` first');
  process.exit(1);
}
mkdirSync(CACHE, { recursive: true });

// ---- the database ------------------------------------------------------------------------
const candidates = [process.env.WXTRACK_BENCH_BASE_DB, join(CACHE, 'track-v1-1000000.db')].filter(Boolean);
const base = candidates.find((p) => existsSync(p) && existsSync(p + '.complete.json'));
const DB = join(CACHE, 'ingest-bench.db');
for (const s of ['', '-wal', '-shm']) rmSync(DB + s, { force: true });
let dbNote;
if (base) {
  const meta = JSON.parse(readFileSync(base + '.complete.json', 'utf8'));
  process.stdout.write(`copying ${base} (${mib(statSync(base).size)}) ...\n`);
  copyFileSync(base, DB);
  dbNote = `copy of the foundation bench DB: ${fmt(meta.waybills)} waybills, ${fmt(meta.events)} events`;
} else {
  dbNote = 'fresh empty DB (no foundation bench DB found; set WXTRACK_BENCH_BASE_DB)';
}
console.log(`database: ${dbNote}`);

// ---- input files (cached) -------------------------------------------------------------------
const BASE_TIME = Date.UTC(2026, 6, 1);
const STATUS = [1, 2, 2, 2, 2, 3, 3, 4];
/** Event i of `count` in a shape: waybill n's k-th scan, side by side or spread through the file. */
function place(shape, i, count) {
  const waybills = count / PER_WAYBILL;
  return shape === 'waybill'
    ? { n: Math.floor(i / PER_WAYBILL), k: i % PER_WAYBILL }
    : { n: i % waybills, k: Math.floor(i / waybills) };
}
function fileEvent(prefix, i, shape) {
  const { n, k } = place(shape, i, FILE_EVENTS);
  const w = `${prefix}${String(n).padStart(11, '0')}`;
  return {
    waybill: w,
    event_id: `${w}-${k}`,
    time: new Date(BASE_TIME + n * 1000 + k * 3_600_000).toISOString(),
    status: STATUS[k],
    description: `快件离开【河北永清县】已发往【贵阳】第${k}站`,
    location: '河北永清县',
  };
}
async function writeInput(path, format, prefix, shape) {
  if (existsSync(path + '.complete')) return;
  const out = createWriteStream(path);
  let buf = format === 'csv' ? '运单号,事件编号,时间,状态,描述,网点\n' : '';
  for (let i = 0; i < FILE_EVENTS; i++) {
    const e = fileEvent(prefix, i, shape);
    buf +=
      format === 'csv'
        ? `${e.waybill},${e.event_id},${e.time},${e.status},"${e.description}",${e.location}\n`
        : JSON.stringify(e) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise((r) => out.once('drain', r));
      buf = '';
    }
  }
  await new Promise((r) => out.end(buf, r));
  writeFileSync(path + '.complete', '');
}
// Waybill prefixes: I/C for NDJSON/CSV import, P for push; N/T for the waybill/time shape.
const prefixOf = (what, shape) => what + (shape === 'waybill' ? 'N' : 'T');
const inputs = {};
for (const shape of SHAPES) {
  const suffix = shape === 'waybill' ? '' : '-time';
  inputs[shape] = {
    ndjson: join(CACHE, `ingest-${FILE_EVENTS}${suffix}.ndjson`),
    csv: join(CACHE, `ingest-${FILE_EVENTS}${suffix}.csv`),
  };
  await writeInput(inputs[shape].ndjson, 'ndjson', prefixOf('I', shape), shape);
  await writeInput(inputs[shape].csv, 'csv', prefixOf('C', shape), shape);
}

/** Peak VmHWM and RssAnon of a process, sampled every 50 ms until stopped. */
function sampleMemory(pid) {
  const peak = { hwm: 0, anon: 0 };
  const read = () => {
    try {
      const st = readFileSync(`/proc/${pid}/status`, 'utf8');
      const hwm = /VmHWM:\s+(\d+) kB/.exec(st);
      const anon = /RssAnon:\s+(\d+) kB/.exec(st);
      if (hwm) peak.hwm = Math.max(peak.hwm, Number(hwm[1]) * 1024);
      if (anon) peak.anon = Math.max(peak.anon, Number(anon[1]) * 1024);
    } catch {
      // The process has ended.
    }
  };
  const timer = setInterval(read, 50);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

function run(args, { onStderr } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const memory = sampleMemory(child.pid);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, child, memory: memory() }));
  });
}

const results = {
  db: dbNote,
  machine: `${process.platform} ${process.arch}, node ${process.version}`,
  load_average_at_start: (await import('node:os')).loadavg(),
};
console.log(`load average at start: ${results.load_average_at_start.map((l) => l.toFixed(2)).join(' ')}`);

// ---- 1 and 2: file import ------------------------------------------------------------------
const CSV_MAP = [
  '--map',
  'waybill=运单号,event_id=事件编号,time=时间,status=状态,description=描述,location=网点',
];
for (const shape of SHAPES) {
  for (const [format, extra] of [
    ['ndjson', []],
    ['csv', CSV_MAP],
  ]) {
    const name = `import_${format}_${shape}`;
    const r = await run([
      'import',
      inputs[shape][format],
      '--db',
      DB,
      '--create',
      '--json',
      '--quiet',
      ...extra,
    ]);
    if (r.code !== 0) throw new Error(`${name} failed (${r.code}): ${r.stderr.slice(0, 2000)}`);
    const s = JSON.parse(r.stdout);
    results[name] = {
      events: s.read,
      inserted: s.inserted,
      seconds: s.elapsed_ms / 1000,
      events_per_second: s.events_per_second,
      peak_rss_bytes: s.max_rss_bytes,
      peak_rss_anon_bytes: r.memory.anon,
      cpu_seconds: s.cpu_ms / 1000,
      events_per_cpu_second: Math.round(s.read / (s.cpu_ms / 1000)),
      file_bytes: s.bytes,
    };
    console.log(
      `import ${format.padEnd(6)} ${shape.padEnd(7)}: ${fmt(s.read)} events in ${(s.elapsed_ms / 1000).toFixed(2)} s = ` +
        `${fmt(s.events_per_second)} events/s, ${fmt(s.read / (s.cpu_ms / 1000))} per CPU-second; ` +
        `peak RSS ${mib(s.max_rss_bytes)}, of it anonymous ${mib(r.memory.anon)} (file ${mib(s.bytes)})`,
    );
  }
}

// ---- 3: HTTP push ----------------------------------------------------------------------------
const keyRun = await run(['keys', 'create', '--name', `bench-${Date.now()}`, '--db', DB]);
if (keyRun.code !== 0) throw new Error('keys create failed: ' + keyRun.stderr);
const KEY = keyRun.stdout.trim();

let origin;
const server = spawn(
  process.execPath,
  [
    BIN,
    'serve',
    '--db',
    DB,
    '--port',
    '0',
    '--host',
    '127.0.0.1',
    '--token',
    'benchtoken123',
    '--log-level',
    'info',
  ],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error('serve did not start in 60 s: ' + out)), 60_000);
  server.stdout.on('data', (d) => {
    out += d;
    const m = /"origin":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
    if (m && !origin) {
      origin = m[1];
      clearTimeout(timer);
      resolve();
    }
  });
  server.stderr.on('data', (d) => (out += d));
  server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
});
const url = new URL('/v1/events', origin);

const agent = new Agent({ keepAlive: true, maxSockets: SENDERS });
function post(body) {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': body.length,
          authorization: `Bearer ${KEY}`,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
// utime + stime of the server, in clock ticks (100 per second on Linux).
const cpuTicks = () => {
  const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
};
const serverMemory = sampleMemory(server.pid);

// The time shape is live scans: consecutive events hit different parcels, so every batch extends
// 500 stored replies. The waybill shape sends each parcel's scans together.
for (const shape of SHAPES) {
  const pushEvent = (i) => {
    const { n, k } = place(shape, i, PUSH_EVENTS);
    const waybill = `${prefixOf('P', shape)}${String(n).padStart(11, '0')}`;
    return {
      waybill,
      event_id: `${waybill}-${k}`,
      time: new Date(BASE_TIME + n * 1000 + k * 3_600_000).toISOString(),
      status: STATUS[k],
      description: `快件离开【河北永清县】已发往【贵阳】第${k}站`,
      location: '河北永清县',
    };
  };
  const bodies = [];
  for (let i = 0; i < PUSH_EVENTS; i += PUSH_BATCH) {
    const batch = [];
    for (let j = i; j < Math.min(i + PUSH_BATCH, PUSH_EVENTS); j++) batch.push(pushEvent(j));
    bodies.push(Buffer.from(JSON.stringify(batch)));
  }
  const cpuBefore = cpuTicks();
  let next = 0;
  let accepted = 0;
  let failures = 0;
  const start = process.hrtime.bigint();
  const deadline = Date.now() + PUSH_SECONDS * 1000;
  await Promise.all(
    Array.from({ length: SENDERS }, async () => {
      while (next < bodies.length && Date.now() < deadline) {
        const r = await post(bodies[next++]);
        if (r.status !== 200) {
          failures++;
          if (failures < 3) console.error(`push: HTTP ${r.status}: ${r.text.slice(0, 300)}`);
          continue;
        }
        accepted += JSON.parse(r.text).accepted;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const serverCpu = (cpuTicks() - cpuBefore) / 100;
  results[`push_${shape}`] = {
    events: accepted,
    batch: PUSH_BATCH,
    senders: SENDERS,
    seconds,
    events_per_second: Math.round(accepted / seconds),
    server_cpu_seconds: serverCpu,
    events_per_server_cpu_second: Math.round(accepted / serverCpu),
    failed_requests: failures,
  };
  console.log(
    `HTTP push ${shape.padEnd(7)}: ${fmt(accepted)} events (batches of ${PUSH_BATCH}, ${SENDERS} senders) in ${seconds.toFixed(2)} s = ` +
      `${fmt(accepted / seconds)} events/s, ${fmt(accepted / serverCpu)} per server CPU-second` +
      (failures ? `, ${failures} failed requests` : ''),
  );
}
const serverPeak = serverMemory();
agent.destroy();
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
results.push_server_peak_rss_bytes = serverPeak.hwm;
results.push_server_peak_rss_anon_bytes = serverPeak.anon;
console.log(`push server: peak RSS ${mib(serverPeak.hwm)}, of it anonymous ${mib(serverPeak.anon)}`);

const goals = SHAPES.flatMap((shape) => [
  [`import_ndjson_${shape}`, 100_000],
  [`import_csv_${shape}`, 100_000],
  [`push_${shape}`, 20_000],
]);
for (const [k, goal] of goals) {
  console.log(
    `goal ${k}: >= ${fmt(goal)} events/s: ${results[k].events_per_second >= goal ? 'met' : 'NOT met'}`,
  );
}
for (const shape of SHAPES) {
  for (const format of ['ndjson', 'csv']) {
    const anon = results[`import_${format}_${shape}`].peak_rss_anon_bytes;
    console.log(
      `goal import_${format}_${shape} memory: RssAnon <= 256 MiB: ${anon <= 256 * 2 ** 20 ? 'met' : 'NOT met'}`,
    );
  }
}
const out = join(CACHE, `ingest-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify(results, null, 2) + '\n');
console.log(`results: ${out}`);
for (const s of ['', '-wal', '-shm']) rmSync(DB + s, { force: true });
