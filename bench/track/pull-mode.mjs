// Pull mode against store mode, `npm run bench`'s pull section (also runs alone:
// `node bench/track/pull-mode.mjs`, after `npm run build`).
//
// Both modes serve the same waybills to the same request stream, interleaved round by round:
// - store mode (a): `wxtrack serve --db` on the generated database (reply view warmed first);
// - pull mode (b): `wxtrack serve --config` with a Kuaidi100-preset carrier whose upstream is
//   bench/track/fake-upstream.mjs (signature checked, BENCH_PULL_UPSTREAM_MS per call).
// The stream asks each waybill 10 times: the URLs come in windows of BENCH_PULL_WINDOW waybills,
// each asked once round-robin per pass, 10 passes a window, so 1 query in 10 is a cache miss:
// a 90 % hit ratio. With the default freshness (30 min) every waybill must cost exactly one
// upstream call in a run: the bench counts the calls at the fake and compares them with the
// distinct waybills the gateway was sent, and reads the gateway's own hit/miss counters.
//
// Server on CPU 0; wrk and the fake upstream share CPU 1. Exit 1 when a reply is bad or the
// upstream calls do not match the policy.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { CACHE_DIR, ROOT, envInt, fmtInt, sign, waybillOf } from './common.mjs';
import { ensureDb } from './gen-db.mjs';

const WAYBILLS = envInt('BENCH_PULL_WAYBILLS', 100_000);
const WINDOW = envInt('BENCH_PULL_WINDOW', 200);
const PASSES = 10;
const UPSTREAM_MS = envInt('BENCH_PULL_UPSTREAM_MS', 20, 0);
const DURATION = envInt('BENCH_PULL_DURATION', envInt('BENCH_DURATION', 10));
const WARMUP = envInt('BENCH_WARMUP', 3);
const ROUNDS = envInt('BENCH_PULL_ROUNDS', envInt('BENCH_ROUNDS', 3));
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 100);
const BASE_PORT = envInt('BENCH_PULL_PORT', 39181, 1024);
const URLS = envInt('BENCH_PULL_URLS', 800_000);
const HOST = '127.0.0.1';
const TOKEN = 'bench-pull-' + randomBytes(6).toString('hex');
const WORK = join(CACHE_DIR, 'pull-run');
const LUA = join(ROOT, 'bench/track/urls.lua');
const children = new Set();
const log = (s = '') => console.log(s);

const get = (port, path) =>
  new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path, agent: false, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });

function spawnOn(cpu, args, logFile) {
  const out = openSync(logFile, 'w');
  const child = spawn('taskset', ['-c', cpu, ...args], { cwd: ROOT, stdio: ['ignore', out, out] });
  closeSync(out);
  children.add(child);
  return child;
}

async function stop(child) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  const exited = new Promise((r) => child.once('exit', r));
  if (!(await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)])))
    child.kill('SIGKILL');
  children.delete(child);
}

async function ready(port, path, child, logFile, name, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited (see ${logFile})`);
    try {
      if ((await get(port, path)).status === 200) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready (see ${logFile})`);
    await sleep(100);
  }
}

/** The waybill index of URL i: windows of WINDOW waybills, each asked once per pass, 10 passes. */
const waybillAt = (i) => {
  const perWindow = WINDOW * PASSES;
  const w = Math.floor(i / perWindow);
  return (w * WINDOW + ((i % perWindow) % WINDOW)) % WAYBILLS;
};

function writeUrls(file) {
  const ts = String(Math.floor(Date.now() / 1000));
  const tag = randomBytes(6).toString('hex');
  const fd = openSync(file, 'w');
  let buf = [];
  for (let i = 0; i < URLS; i++) {
    const nonce = tag + i.toString(36);
    buf.push(
      `/wechat/track?orderid=${waybillOf(waybillAt(i))}&openid=obench${i % 5000}&signature=${sign(TOKEN, ts, nonce)}` +
        `&timestamp=${ts}&nonce=${nonce}&callback=WxOrderCb`,
    );
    if (buf.length === 20_000) {
      writeSync(fd, buf.join('\n') + '\n');
      buf = [];
    }
  }
  if (buf.length) writeSync(fd, buf.join('\n') + '\n');
  closeSync(fd);
}

function wrk(port, seconds, urlFile, offset) {
  const r = spawnSync(
    'taskset',
    [
      '-c',
      '1',
      'wrk',
      '-t1',
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--timeout',
      '5s',
      '-s',
      LUA,
      `http://${HOST}:${port}`,
      '--',
      urlFile,
      String(offset),
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, WRK_CHECK_BODY: '1' },
      timeout: (seconds + 60) * 1000,
    },
  );
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('BENCH_JSON '));
  if (!line) throw new Error(`wrk failed: ${r.stderr || r.stdout}`);
  return JSON.parse(line.slice('BENCH_JSON '.length));
}

const metric = (text, name) => {
  const m = new RegExp(`^${name}\\{carrier="YTO"\\} (\\d+(?:\\.\\d+)?)`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
};

async function runMode(mode, round, db) {
  const port = BASE_PORT + 1;
  const metricsPort = BASE_PORT + 2;
  const upstreamPort = BASE_PORT + 3;
  const logFile = join(WORK, `${mode}-r${round}.log`);
  let fake;
  let args;
  if (mode === 'store') {
    args = ['node', 'bin/wxtrack.js', 'serve', '--db', db.path, '--token', TOKEN];
  } else {
    const fakeLog = join(WORK, `fake-r${round}.log`);
    fake = spawnOn(
      '1',
      [
        'node',
        'bench/track/fake-upstream.mjs',
        '--port',
        String(upstreamPort),
        '--customer',
        'BENCHCUST',
        '--key',
        'BENCHKEY',
        '--delay-ms',
        String(UPSTREAM_MS),
      ],
      fakeLog,
    );
    await ready(upstreamPort, '/stats', fake, fakeLog, 'fake upstream');
    const config = join(WORK, 'pull.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        carriers: [
          {
            id: 'YTO',
            name: '圆通速递',
            tokens: [{ env: 'BENCH_PULL_TOKEN' }],
            waybillPattern: 'YT\\d{13}',
            source: {
              upstream: {
                preset: 'kuaidi100',
                url: `http://${HOST}:${upstreamPort}/poll/query.do`,
                company: 'yuantong',
                customer: { env: 'BENCH_PULL_CUSTOMER' },
                key: { env: 'BENCH_PULL_KEY' },
                budget: { inFlight: 256 },
              },
            },
          },
        ],
      }),
    );
    args = ['node', 'bin/wxtrack.js', 'serve', '--config', config];
  }
  args.push(
    '--port',
    String(port),
    '--host',
    HOST,
    '--rate-limit',
    '0',
    '--replay-max-rate',
    '60000',
    '--metrics-port',
    String(metricsPort),
    '--log-level',
    'info',
  );
  const env = {
    ...process.env,
    BENCH_PULL_TOKEN: TOKEN,
    BENCH_PULL_CUSTOMER: 'BENCHCUST',
    BENCH_PULL_KEY: 'BENCHKEY',
  };
  const out = openSync(logFile, 'w');
  const server = spawn('taskset', ['-c', '0', ...args], { cwd: ROOT, stdio: ['ignore', out, out], env });
  closeSync(out);
  children.add(server);
  try {
    await ready(port, '/healthz', server, logFile, `${mode} gateway`);
    if (mode === 'store') {
      // The reply view fills from the store at start; measure once it is warm.
      const deadline = Date.now() + 600_000;
      while (!readFileSync(logFile, 'utf8').includes('reply view warm')) {
        if (Date.now() > deadline) throw new Error('reply view not warm after 600 s');
        await sleep(200);
      }
    }
    const urlFile = join(WORK, `urls-${mode}-r${round}.txt`);
    writeUrls(urlFile);
    const warm = wrk(port, WARMUP, urlFile, 0);
    const run = wrk(port, DURATION, urlFile, warm.end_idx);
    const result = {
      mode,
      round,
      warm,
      run,
      rps: run.requests / (run.duration_us / 1e6),
      p99: run.latency_us.p99 / 1000,
    };
    if (run.wraps > 0 || warm.wraps > 0)
      throw new Error(`${mode}: the URL file wrapped; raise BENCH_PULL_URLS`);
    if (mode === 'pull') {
      const stats = JSON.parse((await get(upstreamPort, '/stats')).body);
      const metrics = (await get(metricsPort, '/metrics')).body;
      const sent = new Set();
      for (let i = 0; i < run.end_idx; i++) sent.add(waybillAt(i));
      result.upstream = {
        ...stats,
        expected: sent.size,
        hits: metric(metrics, 'wxtrack_upstream_cache_hits_total'),
        misses: metric(metrics, 'wxtrack_upstream_cache_misses_total'),
        stale: metric(metrics, 'wxtrack_upstream_stale_served_total'),
        gatewayCalls: metric(metrics, 'wxtrack_upstream_calls_total'),
      };
    }
    return result;
  } finally {
    await stop(server);
    if (fake) await stop(fake);
    rmSync(join(WORK, `urls-${mode}-r${round}.txt`), { force: true });
  }
}

export async function runPullBench() {
  mkdirSync(WORK, { recursive: true });
  log(
    `\n== pull mode (b) beside store mode (a): ${fmtInt(WAYBILLS)} waybills, 90 % cache hits, upstream ${UPSTREAM_MS} ms, ${ROUNDS} rounds × ${DURATION} s, ${CONNECTIONS} connections`,
  );
  const db = await ensureDb(WAYBILLS, log);
  const results = [];
  let valid = true;
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 ? ['store', 'pull'] : ['pull', 'store'];
    for (const mode of order) {
      const r = await runMode(mode, round, db);
      const bad =
        r.run.bad_status + r.run.bad_body + r.run.errors.timeout + r.run.errors.connect + r.run.errors.read;
      if (bad > 0) valid = false;
      let line = `round ${round} ${mode.padEnd(5)}: ${fmtInt(r.rps)} req/s, p50 ${(r.run.latency_us.p50 / 1000).toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, bad ${bad}`;
      if (r.upstream) {
        const u = r.upstream;
        // wrk stops with up to CONNECTIONS requests sent and unanswered: their waybills may
        // not have reached the upstream yet.
        const ok =
          u.calls <= u.expected &&
          u.calls >= u.expected - CONNECTIONS &&
          u.maxPerWaybill === 1 &&
          u.badSignatures === 0 &&
          u.gatewayCalls === u.calls;
        if (!ok) valid = false;
        const queries = r.warm.requests + r.run.requests;
        line +=
          `; upstream calls ${fmtInt(u.calls)} for ${fmtInt(u.expected)} waybills sent, ${((u.calls / queries) * 100).toFixed(1)} % of queries ` +
          `(policy: one per waybill, max per waybill ${u.maxPerWaybill}) ${ok ? 'OK' : 'MISMATCH'}; ` +
          `gateway: ${fmtInt(u.hits)} hits, ${fmtInt(u.misses)} misses (a miss joining a call in flight costs no call), ${fmtInt(u.stale)} stale`;
      }
      log(line);
      results.push(r);
    }
  }
  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const a = results.filter((r) => r.mode === 'store');
  const b = results.filter((r) => r.mode === 'pull');
  const summary = {
    storeRps: med(a.map((r) => r.rps)),
    pullRps: med(b.map((r) => r.rps)),
    storeP99: med(a.map((r) => r.p99)),
    pullP99: med(b.map((r) => r.p99)),
  };
  log(
    `pull mode b/a: throughput ${(summary.pullRps / summary.storeRps).toFixed(2)} (median ${fmtInt(summary.pullRps)} / ${fmtInt(summary.storeRps)} req/s), ` +
      `p99 ${(summary.pullP99 / summary.storeP99).toFixed(2)} (${summary.pullP99.toFixed(2)} / ${summary.storeP99.toFixed(2)} ms)` +
      (valid ? '' : '  INVALID: see above'),
  );
  return { valid, summary, results };
}

process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await runPullBench().catch((err) => {
    console.error(`bench (pull): ${err.message}`);
    return { valid: false };
  });
  process.exitCode = r.valid ? 0 : 1;
}
