/**
 * @module
 * `npm run bench:query-during-push`: does a large push hold back WeChat's queries? (issue 8,
 * part 2: "a push of any size never delays a concurrent query by more than 10 ms at p99").
 *
 * 1. A fresh database seeded by `wxtrack import` with BENCH_QDP_WAYBILLS waybills (one scan each).
 * 2. `wxtrack serve` on 127.0.0.1 with its defaults (reply cache on), and a body limit big
 *    enough for the push.
 * 3. BENCH_QDP_CLIENTS closed-loop clients send signed track queries for random seeded waybills,
 *    each over its own keep-alive socket, for the whole run.
 * 4. After a quiet second, one `POST /v1/events` carries BENCH_QDP_EVENTS events: the next scan of
 *    that many seeded waybills (their replies are extended, as for a live feed).
 * 5. Prints p50/p99/max of the queries sent while the push was in flight, beside those of the
 *    quiet second before it, and writes a JSON result file.
 *
 * Every loop is bounded in count and time; the only target is 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { CACHE_DIR, ROOT, envInt, fmtInt, sign } from '../track/common.mjs';

const BIN = join(ROOT, 'bin/wxtrack.js');
const WAYBILLS = envInt('BENCH_QDP_WAYBILLS', 100_000);
const PUSH_EVENTS = envInt('BENCH_QDP_EVENTS', 50_000);
const CLIENTS = envInt('BENCH_QDP_CLIENTS', 4);
const MAX_SECONDS = envInt('BENCH_QDP_MAX_SECONDS', 120);
const TOKEN = 'benchtoken123';
const BASE_TIME = Date.UTC(2026, 6, 1);

if (!existsSync(join(ROOT, 'dist/cli/main.js'))) {
  console.error('bench:query-during-push: run `npm run build` first');
  process.exit(1);
}
if (PUSH_EVENTS > WAYBILLS) throw new Error('BENCH_QDP_EVENTS must not exceed BENCH_QDP_WAYBILLS');
mkdirSync(CACHE_DIR, { recursive: true });
const DB = join(CACHE_DIR, 'query-during-push.db');
const SEED = join(CACHE_DIR, `query-during-push-seed-${WAYBILLS}.ndjson`);
for (const s of ['', '-wal', '-shm']) rmSync(DB + s, { force: true });

const waybillOf = (i) => `QP${String(i).padStart(11, '0')}`;
const event = (i, k) => ({
  waybill: waybillOf(i),
  event_id: `${waybillOf(i)}-${k}`,
  time: new Date(BASE_TIME + i * 1000 + k * 3_600_000).toISOString(),
  status: k === 0 ? 1 : 2,
  description: `快件离开【河北永清县】已发往【贵阳】第${k}站`,
  location: '河北永清县',
});

function run(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

// ---- seed -----------------------------------------------------------------------------------
if (!existsSync(SEED)) {
  const lines = [];
  for (let i = 0; i < WAYBILLS; i++) lines.push(JSON.stringify(event(i, 0)));
  writeFileSync(SEED, lines.join('\n') + '\n');
}
const seeded = await run(['import', SEED, '--db', DB, '--quiet']);
if (seeded.code !== 0) throw new Error('seed import failed: ' + seeded.stderr.slice(0, 2000));
const keyRun = await run(['keys', 'create', '--name', 'bench', '--db', DB]);
if (keyRun.code !== 0) throw new Error('keys create failed: ' + keyRun.stderr);
const KEY = keyRun.stdout.trim();

// ---- serve ------------------------------------------------------------------------------------
const server = spawn(
  process.execPath,
  [BIN, 'serve', '--db', DB, '--port', '0', '--host', '127.0.0.1', '--token', TOKEN],
  { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, WXTRACK_BODY_LIMIT: '64MiB' } },
);
const origin = await new Promise((resolve, reject) => {
  let out = '';
  const timer = setTimeout(() => reject(new Error('serve did not start in 60 s: ' + out)), 60_000);
  server.stdout.on('data', (d) => {
    out += d;
    const m = /"origin":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  server.stderr.on('data', (d) => (out += d));
  server.once('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
});
const { hostname, port } = new URL(origin);

// ---- queries ------------------------------------------------------------------------------------
const tag = randomBytes(6).toString('hex');
let nonceSeq = 0;
function query(agent) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = tag + (nonceSeq++).toString(36);
  const orderid = waybillOf(Math.floor(Math.random() * WAYBILLS));
  const path =
    `/wechat/track?orderid=${orderid}&openid=obench&signature=${sign(TOKEN, timestamp, nonce)}` +
    `&timestamp=${timestamp}&nonce=${nonce}&callback=WxOrderCb`;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = request({ host: hostname, port, path, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`query: HTTP ${res.statusCode}`));
        else resolve({ started, ended: performance.now() });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
const samples = [];
let stop = false;
const hardStop = Date.now() + MAX_SECONDS * 1000;
const clients = Array.from({ length: CLIENTS }, async () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    while (!stop && Date.now() < hardStop) samples.push(await query(agent));
  } finally {
    agent.destroy();
  }
});

// ---- the push ---------------------------------------------------------------------------------
const quietFrom = performance.now();
await new Promise((r) => setTimeout(r, 1000));
const batch = [];
for (let i = 0; i < PUSH_EVENTS; i++) batch.push(event(i, 1));
const body = Buffer.from(JSON.stringify(batch));
const pushAgent = new Agent({ keepAlive: false });
const pushStart = performance.now();
const pushed = await new Promise((resolve, reject) => {
  const req = request(
    new URL('/v1/events', origin),
    {
      method: 'POST',
      agent: pushAgent,
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
const pushEnd = performance.now();
await new Promise((r) => setTimeout(r, 300));
stop = true;
await Promise.all(clients);
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
for (const s of ['', '-wal', '-shm']) rmSync(DB + s, { force: true });
if (pushed.status !== 200) throw new Error(`push: HTTP ${pushed.status}: ${pushed.text.slice(0, 300)}`);

const stats = (list) => {
  const ms = list.map((s) => s.ended - s.started).sort((a, b) => a - b);
  const at = (q) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? NaN;
  return { queries: ms.length, p50_ms: at(0.5), p99_ms: at(0.99), max_ms: ms[ms.length - 1] ?? NaN };
};
const quiet = stats(samples.filter((s) => s.started >= quietFrom && s.ended < pushStart));
const during = stats(samples.filter((s) => s.started >= pushStart && s.started < pushEnd));
const result = {
  waybills: WAYBILLS,
  push_events: PUSH_EVENTS,
  push_body_bytes: body.length,
  push_seconds: (pushEnd - pushStart) / 1000,
  push_events_per_second: Math.round(PUSH_EVENTS / ((pushEnd - pushStart) / 1000)),
  clients: CLIENTS,
  queries_before_push: quiet,
  queries_during_push: during,
  goal_p99_ms: 10,
};
const f = (x) => x.toFixed(2);
console.log(
  `push of ${fmtInt(PUSH_EVENTS)} events (${(body.length / 2 ** 20).toFixed(1)} MiB) took ` +
    `${result.push_seconds.toFixed(2)} s (${fmtInt(result.push_events_per_second)} events/s)`,
);
for (const [name, s] of [
  ['queries before the push', quiet],
  ['queries during the push', during],
]) {
  console.log(
    `${name}: ${fmtInt(s.queries)}, p50 ${f(s.p50_ms)} ms, p99 ${f(s.p99_ms)} ms, max ${f(s.max_ms)} ms`,
  );
}
console.log(`goal: p99 during the push <= 10 ms: ${during.p99_ms <= 10 ? 'met' : 'NOT met'}`);
const out = join(CACHE_DIR, `query-during-push-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.log(`results: ${out}`);
