// `npm run bench`: wxtrack's track route against the ceiling of a bare node:http server, on a
// generated database, with wrk. See bench/README.md for what is measured, how to read it, and
// the BENCH_* knobs (BENCH_WAYBILLS, BENCH_DURATION, BENCH_ROUNDS, ...).
//
// Exit status: 0 for a valid bench (goal met or missed), 1 for an invalid one (a bad reply, a
// socket error, a failed build or server), 2 when wrk, taskset or a second CPU is missing.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { performance } from 'node:perf_hooks';
import { CACHE_DIR, ROOT, envInt, fmtBytes, fmtInt, sign, waybillOf } from './common.mjs';
import { ensureDb } from './gen-db.mjs';

const WAYBILLS = envInt('BENCH_WAYBILLS', 1_000_000);
/** The smaller database run beside the main one (flatness: cost must not grow with the data); 0: none. */
const WAYBILLS_SMALL = envInt('BENCH_WAYBILLS_SMALL', 100_000, 0);
/**
 * PostgreSQL + Redis mode: a command line (with {port} and {token}) that starts one wxtrack node
 * serving a PostgreSQL database holding the bench's generated waybills, e.g.
 * `node bin/wxtrack.js serve --db postgres://… --redis redis://… --guard-secret S --token {token}
 * --port {port} --host 127.0.0.1`. Unset: the mode is skipped. Two nodes run behind nginx.
 */
const PG_SERVE = process.env.BENCH_PG_SERVE ?? '';
const PG_WAYBILLS = envInt('BENCH_PG_WAYBILLS', WAYBILLS);
/**
 * Another checkout of wxtrack (built, with its node_modules) to run beside this one as kind z,
 * "before": the same database, its own reply view file, interleaved in every round. Unset: none.
 */
const BASELINE = process.env.BENCH_BASELINE ?? '';
/** How long to wait for a server's reply view to finish its warm-up before the rounds, s. */
const VIEW_WARM_TIMEOUT = envInt('BENCH_VIEW_WARM_TIMEOUT', 1800);
/** What wrk and the probes send as Accept-Encoding; WeChat's `<script>` request sends gzip. */
const ACCEPT_ENCODING = process.env.BENCH_ACCEPT_ENCODING ?? 'gzip, deflate';
const DURATION = envInt('BENCH_DURATION', 10);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const WARMUP = envInt('BENCH_WARMUP', 3);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 100);
const PORT_CEILING = envInt('BENCH_PORT', 39081, 1024);
const PORT_WXTRACK = PORT_CEILING + 1;
const HOST = '127.0.0.1';
const SERVER_CPU = '0';
const LOAD_CPU = '1';
const SAMPLES = 200; // replies fetched and parsed before each wxtrack run
const GOAL_RATIO = 0.8;
const GOAL_P99_MS = 10;
/** First guess of wxtrack's req/s, for sizing its URL file; later rounds use the rates seen. */
const FIRST_RATE_GUESS = 30_000;
const MAX_URLS = 2_500_000;
/**
 * Scheduling priority of the servers and wrk, `nice -n`: by default -10 for root (so that other
 * people's test runs on a shared machine do not land in the measurement), 0 otherwise.
 */
const NICE = envInt('BENCH_NICE', process.getuid?.() === 0 ? -10 : 0, -20);
/** The command prefix that runs a program on `cpu`, at BENCH_NICE if set. */
const pinned = (cpu) => [...(NICE ? ['nice', '-n', String(NICE)] : []), 'taskset', '-c', cpu];
/**
 * Spawns a pinned program. With BENCH_NICE, it also gets a session of its own whose autogroup
 * gets that nice value: where the kernel groups processes by session (sched_autogroup), a
 * process's own nice only ranks it within its session, not against other sessions' processes.
 */
function spawnPinned(cpu, args, options) {
  const [cmd, ...pre] = pinned(cpu);
  const child = spawn(cmd, [...pre, ...args], { ...options, detached: NICE !== 0 });
  if (NICE !== 0) {
    try {
      writeFileSync(`/proc/${child.pid}/autogroup`, String(NICE));
    } catch {
      // no autogroup scheduling here: `nice` alone does the job
    }
  }
  return { child, command: [cmd, ...pre, ...args].join(' ') };
}
/** With a raised priority, other processes yield the CPUs anyway: no need to wait for them. */
const QUIET_WAIT = envInt('BENCH_QUIET_WAIT', NICE < 0 ? 0 : 30, 0);
const RETRIES = envInt('BENCH_RETRIES', 3, 0);
/** A run during which other processes used more than this share of the server's CPU is measured again. */
const OTHERS_LIMIT = envInt('BENCH_OTHERS_LIMIT', 10, 0) / 100;

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const LUA = join(ROOT, 'bench/track/urls.lua');
const WORK = join(CACHE_DIR, 'track-run');
const TRACK_PATH = '/wechat/track';
const CALLBACK = 'WxOrderCb';

class Invalid extends Error {}

const children = new Set();
function killChildren() {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
}
process.on('SIGINT', () => {
  killChildren();
  process.exit(130);
});
process.on('exit', killChildren);

const log = (s = '') => console.log(s);
const ms = (us) => (us / 1000).toFixed(2);
const us = (x) => (x === undefined ? '?' : x.toFixed(1));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

// ---------------------------------------------------------------- preflight

function preflight() {
  const wrk = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  if (wrk.error) {
    console.error('bench: wrk not found. Install it with: apt-get install wrk');
    process.exit(2);
  }
  const ts = spawnSync('taskset', ['-c', '0', 'true']);
  if (ts.error || ts.status !== 0) {
    console.error('bench: taskset not found or not usable. Install it with: apt-get install util-linux');
    process.exit(2);
  }
  const cpus = os.availableParallelism();
  if (cpus < 2) {
    console.error(
      `bench: needs 2 CPUs (server on CPU ${SERVER_CPU}, wrk on CPU ${LOAD_CPU}); this machine has ${cpus}`,
    );
    process.exit(2);
  }
  return {
    wrkVersion: (wrk.stdout + wrk.stderr)
      .split('\n')[0]
      .replace(/ Copyright.*/, '')
      .trim(),
    cpus,
  };
}

function build() {
  if (process.env.BENCH_SKIP_BUILD === '1') {
    log('build: skipped (BENCH_SKIP_BUILD=1)');
  } else {
    log('build: npm run build');
    const r = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) throw new Invalid('npm run build failed');
  }
  if (!existsSync(join(ROOT, 'dist/cli/main.js')))
    throw new Invalid('dist/cli/main.js is missing: run npm run build');
}

function portInUse(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: HOST, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

// ---------------------------------------------------------------- HTTP client for probes

const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

function get(port, path, timeoutMs = 5000, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: HOST, port, path, agent, timeout: timeoutMs, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timed out`)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------- signed URLs

const openids = Array.from({ length: 50_000 }, () => 'o' + randomBytes(21).toString('base64url').slice(1));

/** `count` signed request targets for waybills drawn uniformly at random, timestamped now. */
function* signedTargets(token, count, tag, waybills) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  for (let i = 0; i < count; i++) {
    const orderid = waybillOf(Math.floor(Math.random() * waybills));
    const openid = openids[Math.floor(Math.random() * openids.length)];
    const nonce = tag + i.toString(36); // distinct per URL: every signature is new
    yield (
      `${TRACK_PATH}?orderid=${orderid}&openid=${openid}&signature=${sign(token, timestamp, nonce)}` +
      `&timestamp=${timestamp}&nonce=${nonce}&callback=${CALLBACK}`
    );
  }
}

const newTag = () => randomBytes(6).toString('hex'); // [0-9a-f], a valid nonce prefix

function writeUrlFile(file, token, count, waybills) {
  const started = Date.now();
  const fd = openSync(file, 'w');
  try {
    let buf = [];
    for (const t of signedTargets(token, count, newTag(), waybills)) {
      buf.push(t);
      if (buf.length === 20_000) {
        writeSync(fd, buf.join('\n') + '\n');
        buf = [];
      }
    }
    if (buf.length) writeSync(fd, buf.join('\n') + '\n');
  } finally {
    closeSync(fd);
  }
  return (Date.now() - started) / 1000;
}

// ---------------------------------------------------------------- servers

/** One process of a server under test: spawned pinned to the server's CPU, ready when `readyPath` answers 200. */
async function startProcess(args, port, readyPath, logFile, name, cwd = ROOT) {
  if (await portInUse(port)) throw new Invalid(`port ${port} is already in use (set BENCH_PORT)`);
  const out = openSync(logFile, 'w');
  const { child } = spawnPinned(SERVER_CPU, args, { cwd, stdio: ['ignore', out, out] });
  closeSync(out);
  children.add(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Invalid(`${name} exited before it was ready (see ${logFile}):\n${tail(logFile)}`);
    }
    try {
      const r = await get(port, readyPath, 1000);
      if (r.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Invalid(`${name} not ready after 60 s (see ${logFile})`);
    }
    await sleep(100);
  }
  agent.destroy(); // the probe connections must not linger into the load run
  return {
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const r = await Promise.race([exited, sleep(15_000).then(() => undefined)]);
      if (!r) {
        child.kill('SIGKILL');
        await exited;
      }
      children.delete(child);
    },
  };
}

const fill = (template, values) => template.replace(/\{(\w+)\}/g, (m, k) => values[k] ?? m);
const splitArgs = (line) =>
  line.match(/"[^"]*"|'[^']*'|\S+/g)?.map((a) => a.replace(/^["']|["']$/g, '')) ?? [];

/** An nginx in front of `ports`, listening on `port`: the two-node mode's single URL. */
function nginxArgs(port, ports, logFile) {
  const conf = join(WORK, `nginx-${port}.conf`);
  writeFileSync(
    conf,
    `daemon off;
worker_processes 1;
pid ${join(WORK, `nginx-${port}.pid`)};
error_log ${logFile} warn;
events { worker_connections 1024; }
http {
  access_log off;
  upstream wxtrack { ${ports.map((p) => `server ${HOST}:${p};`).join(' ')} keepalive 128; }
  server {
    listen ${HOST}:${port};
    location / {
      proxy_pass http://wxtrack;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  return ['/usr/sbin/nginx', '-p', WORK, '-c', conf];
}

/**
 * Starts the server of a kind: the ceiling, wxtrack on a generated SQLite database, or wxtrack
 * nodes from BENCH_PG_SERVE (two behind nginx). Returns its port, its processes and stop().
 */
async function startServer(spec, ctx, logFile) {
  let procs;
  let port;
  if (spec.type === 'ceiling') {
    port = PORT_CEILING;
    const args = [
      'node',
      join(ROOT, 'bench/track/ceiling-server.mjs'),
      '--host',
      HOST,
      '--port',
      String(port),
      '--size',
      String(ctx.size),
    ];
    procs = [await startProcess(args, port, '/', logFile, 'ceiling')];
  } else if (spec.type === 'wxtrack') {
    port = PORT_WXTRACK;
    const args = [
      'node',
      join(spec.root ?? ROOT, 'bin/wxtrack.js'),
      'serve',
      '--db',
      spec.dbPath,
      ...(spec.viewPath ? ['--view', spec.viewPath] : []),
      '--token',
      ctx.token,
      '--port',
      String(port),
      '--host',
      HOST,
      // The load comes from one address: the per-client budget would answer most of it 42901.
      '--rate-limit',
      '0',
      // Sized for the bench's rate, so the guard never refuses (it would answer 50001).
      '--replay-max-rate',
      '60000',
    ];
    procs = [await startProcess(args, port, '/readyz', logFile, spec.label, spec.root)];
  } else {
    port = PORT_WXTRACK + 1;
    const nodePorts = spec.nodes === 1 ? [port] : [port + 1, port + 2];
    procs = [];
    try {
      for (const [i, p] of nodePorts.entries()) {
        const args = splitArgs(fill(PG_SERVE, { port: String(p), token: ctx.token }));
        procs.push(
          await startProcess(
            args,
            p,
            '/readyz',
            logFile.replace(/\.log$/, `-node${i + 1}.log`),
            `${spec.label} node ${i + 1}`,
          ),
        );
      }
      if (spec.nodes > 1)
        procs.push(
          await startProcess(nginxArgs(port, nodePorts, logFile), port, '/readyz', logFile, 'nginx'),
        );
    } catch (err) {
      for (const p of procs) await p.stop();
      throw err;
    }
  }
  return {
    kind: spec.type,
    port,
    pids: procs.map((p) => p.child.pid),
    /** Peak resident memory so far, bytes (Linux), summed over the processes. */
    peakRss() {
      let sum = 0;
      for (const p of procs) {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.child.pid}/status`, 'utf8'));
          if (m) sum += Number(m[1]) * 1024;
        } catch {
          // gone
        }
      }
      return sum || undefined;
    },
    async stop() {
      for (const p of procs.reverse()) await p.stop();
    },
  };
}

/** Page-cache residency of files (mincore, through util-linux's fincore): bytes resident and size. */
function residency(files) {
  const present = files.filter((f) => existsSync(f));
  if (present.length === 0) return [];
  const r = spawnSync(
    'fincore',
    ['--bytes', '--noheadings', '--raw', '--output', 'RES,SIZE,FILE', ...present],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) return present.map((file) => ({ file, res: undefined, size: undefined }));
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => {
      const [res, size, ...file] = l.split(' ');
      return { file: file.join(' '), res: Number(res), size: Number(size) };
    });
}

const fmtResidency = (list) =>
  list
    .map((x) =>
      x.res === undefined
        ? `${x.file.split('/').pop()} ?`
        : `${x.file.split('/').pop()} ${fmtBytes(x.res)}/${fmtBytes(x.size)} (${x.size ? ((100 * x.res) / x.size).toFixed(0) : 100}%)`,
    )
    .join(', ');

/** The data files of a kind: the SQLite database and its reply view. */
const dataFiles = (spec) =>
  spec.type === 'wxtrack'
    ? [spec.dbPath, spec.dbPath + '-wal', spec.viewPath ?? spec.dbPath + '-view.mdb']
    : [];

/**
 * Starts wxtrack on a database and waits until its reply view's warm-up is done (its log says
 * `reply view warm`), so that the rounds measure a filled view; a view file outlives the process,
 * so this is quick after the first time.
 */
async function warmView(spec, ctx) {
  const logFile = join(WORK, `${spec.key}-warm.log`);
  const t0 = Date.now();
  const server = await startServer(spec, ctx, logFile);
  try {
    for (;;) {
      const line = readFileSync(logFile, 'utf8')
        .split('\n')
        .find((l) => l.includes('"reply view warm"'));
      if (line) {
        const m = JSON.parse(line);
        log(
          `${spec.label}: reply view warm: ${fmtInt(m.added)} replies added in ${((Date.now() - t0) / 1000).toFixed(0)} s, ${fmtInt(m.entries)} in the view`,
        );
        return;
      }
      if (Date.now() - t0 > VIEW_WARM_TIMEOUT * 1000)
        throw new Invalid(`${spec.label}: the reply view did not finish warming in ${VIEW_WARM_TIMEOUT} s`);
      await sleep(1000);
    }
  } finally {
    await server.stop();
  }
}

function tail(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Fetches `n` fresh signed queries (with the bench's Accept-Encoding) and checks each is a good
 * reply, gunzipping a gzip-encoded one; returns the decoded body sizes and the sizes on the wire.
 */
async function verifySamples(port, token, n, waybills) {
  const sizes = [];
  const wire = [];
  let headers;
  const problems = [];
  const sent = ACCEPT_ENCODING ? { 'accept-encoding': ACCEPT_ENCODING } : {};
  for (const target of signedTargets(token, n, 's' + newTag(), waybills)) {
    const r = await get(port, target, 5000, sent);
    headers ??= r.headers;
    let body = r.body;
    try {
      if (r.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    } catch {
      problems.push(`HTTP ${r.status}: a gzip body that does not gunzip`);
    }
    const text = body.toString('utf8');
    let info;
    try {
      if (!text.startsWith(CALLBACK + '(') || !text.endsWith(')')) throw new Error('not JSONP');
      info = JSON.parse(text.slice(CALLBACK.length + 1, -1));
    } catch {
      info = undefined;
    }
    if (
      r.status !== 200 ||
      !info ||
      info.err_code !== 0 ||
      !Array.isArray(info.traces) ||
      info.traces.length !== 8
    ) {
      problems.push(`HTTP ${r.status}: ${text.slice(0, 160)}`);
    }
    sizes.push(body.length);
    wire.push(r.body.length);
  }
  agent.destroy();
  if (problems.length) {
    throw new Invalid(
      `${problems.length}/${n} sample replies are not err_code 0 with 8 traces, e.g.\n  ${problems.slice(0, 3).join('\n  ')}`,
    );
  }
  return { sizes, wire, headers };
}

// ---------------------------------------------------------------- wrk

/** CPU seconds a process has used so far, all threads (Linux), or undefined. */
function procCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime + stime
  } catch {
    return undefined;
  }
}

/**
 * User and system CPU seconds so far of a process's main thread (the event loop: Node's JavaScript,
 * llhttp's parsing, libuv's reads and writes), from /proc/PID/task/PID/stat, or undefined.
 */
function mainThreadCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(f[11]) / CLK_TCK, system: Number(f[12]) / CLK_TCK };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds so far, from /proc/stat: `procs`, time every process spent in user and system mode
 * (both CPUs); `serverCore`, all busy time of the server's CPU, including the interrupt and
 * softirq time of the network stack, which no process is charged for, and the time the
 * hypervisor took (`serverCoreSteal`); `serverCoreProcs` and `loadCoreProcs`, process time on
 * each pinned CPU.
 */
function machineCpuSeconds() {
  try {
    const lines = readFileSync('/proc/stat', 'utf8').split('\n');
    const fields = (name) =>
      lines
        .find((l) => l.startsWith(name + ' '))
        .trim()
        .split(/\s+/)
        .slice(1)
        .map(Number);
    // user nice system idle iowait irq softirq steal ...
    const procs = (f) => (f[0] + f[1] + f[2]) / CLK_TCK;
    const busy = (f) => (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / CLK_TCK;
    const core = fields('cpu' + SERVER_CPU);
    return {
      procs: procs(fields('cpu')),
      serverCore: busy(core),
      serverCoreProcs: procs(core),
      serverCoreSteal: core[7] / CLK_TCK,
      loadCoreProcs: procs(fields('cpu' + LOAD_CPU)),
      loadCore: busy(fields('cpu' + LOAD_CPU)),
    };
  } catch {
    return undefined;
  }
}

/**
 * Waits (at most `BENCH_QUIET_WAIT` s) until other processes use at most BENCH_OTHERS_LIMIT % of a CPU, so
 * that a measured run does not start in the middle of someone's test suite. Returns the share seen.
 */
async function waitQuiet(label) {
  if (QUIET_WAIT === 0) return undefined;
  const deadline = Date.now() + QUIET_WAIT * 1000;
  let warned = false;
  for (;;) {
    const m0 = machineCpuSeconds();
    const t0 = performance.now();
    await sleep(500);
    const m1 = machineCpuSeconds();
    const busy =
      m0 === undefined || m1 === undefined ? 0 : (m1.procs - m0.procs) / ((performance.now() - t0) / 1000);
    if (busy <= OTHERS_LIMIT) return busy;
    if (Date.now() > deadline) {
      log(
        `${label}: the machine is still busy (${(100 * busy).toFixed(0)}% of a CPU used by others): measuring anyway`,
      );
      return busy;
    }
    if (!warned) {
      log(
        `${label}: waiting for other processes to quiet down (${(100 * busy).toFixed(0)}% of a CPU in use)`,
      );
      warned = true;
    }
  }
}

/**
 * Runs wrk; resolves with urls.lua's figures plus CPU use over the measured window: the server's,
 * wrk's, and everything else's, each in CPUs (1 = one core fully busy).
 */
function wrk(port, seconds, urlFile, offset, logFile, serverPids, checkBodies) {
  return new Promise((resolve, reject) => {
    const args = [
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
    ];
    const { child, command } = spawnPinned(LOAD_CPU, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WRK_CHECK_BODY: checkBodies ? '1' : '0', WRK_ACCEPT_ENCODING: ACCEPT_ENCODING },
    });
    children.add(child);
    // CPU samples every 100 ms; wrk spends its first second or two loading the URL file, so the
    // measured window is taken as the last `seconds` before it exits.
    const samples = [];
    const sample = () => {
      const w = procCpuSeconds(child.pid);
      if (w === undefined) return;
      const each = serverPids.map(procCpuSeconds);
      const mains = serverPids.map(mainThreadCpu);
      samples.push({
        t: performance.now(),
        server: each.includes(undefined) ? undefined : each.reduce((a, b) => a + b, 0),
        main: mains.includes(undefined)
          ? undefined
          : mains.reduce((a, b) => ({ user: a.user + b.user, system: a.system + b.system })),
        wrk: w,
        all: machineCpuSeconds(),
      });
    };
    sample();
    const sampler = setInterval(sample, 100);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 120) * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      clearInterval(sampler);
      children.delete(child);
      writeFileSync(logFile, `${command}\n\n${out}`);
      const line = out.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (code !== 0 || !line) {
        return reject(new Invalid(`wrk failed (exit ${code}), see ${logFile}:\n${out.slice(-2000)}`));
      }
      const result = JSON.parse(line.slice('BENCH_JSON '.length));
      const last = samples[samples.length - 1];
      const first = last && samples.find((x) => x.t >= last.t - seconds * 1000);
      if (first && last && last.t - first.t > 500 && first.server !== undefined && first.all !== undefined) {
        const span = (last.t - first.t) / 1000;
        const server = (last.server - first.server) / span;
        const load = (last.wrk - first.wrk) / span;
        const d = (k) => (last.all[k] - first.all[k]) / span;
        result.cpu = {
          server,
          // The servers' main threads, user and system apart, CPUs.
          mainUser: first.main && last.main ? (last.main.user - first.main.user) / span : undefined,
          mainSystem: first.main && last.main ? (last.main.system - first.main.system) / span : undefined,
          serverCore: d('serverCore'),
          steal: d('serverCoreSteal'),
          wrk: load,
          loadCore: d('loadCore'),
          // Other processes on the server's CPU: these are what disturb the measurement.
          othersServerCpu: Math.max(0, d('serverCoreProcs') - server),
          // Other processes on wrk's CPU (this driver included): harmless while wrk has room.
          othersLoadCpu: Math.max(0, d('loadCoreProcs') - load),
          others: Math.max(0, d('procs') - server - load),
        };
      }
      resolve(result);
    });
  });
}

/** The run's figures, or an Invalid error listing what went wrong. */
function judge(label, r, { allowWraps }) {
  const e = r.errors;
  const problems = [];
  const socketErrors = e.connect + e.read + e.write + e.timeout;
  if (socketErrors) problems.push(`${socketErrors} socket errors (${JSON.stringify(e)})`);
  if (e.status || r.bad_status) problems.push(`${Math.max(e.status, r.bad_status)} non-200 replies`);
  if (r.bad_body) problems.push(`${r.bad_body} replies whose err_code is not 0`);
  if (r.wraps && !allowWraps)
    problems.push(`the URL file ran out (${r.wraps} wraps): signed URLs were reused`);
  if (r.requests === 0) problems.push('no requests completed');
  if (r.checked && r.good + r.bad_status + r.bad_body !== r.requests) {
    problems.push(`${r.requests} replies but ${r.good + r.bad_status + r.bad_body} checked`);
  }
  if (problems.length) throw new Invalid(`${label}: invalid run: ${problems.join('; ')}`);
  return {
    rps: r.requests / (r.duration_us / 1e6),
    requests: r.requests,
    p50: r.latency_us.p50,
    p90: r.latency_us.p90,
    p99: r.latency_us.p99,
    p999: r.latency_us.p999,
    max: r.latency_us.max,
    mean: r.latency_us.mean,
    wraps: r.wraps,
    checked: r.checked,
  };
}

// ---------------------------------------------------------------- one measured run

const rateSeen = {};

async function measureOnce(spec, round, ctx) {
  const label = `round ${round} ${spec.key} ${spec.label}`;
  const isCeiling = spec.type === 'ceiling';
  // Every server gets the same client: one distinct signed URL per request from a fresh file.
  const guess = Math.max(rateSeen[spec.key] ?? 0, isCeiling ? 2 * FIRST_RATE_GUESS : FIRST_RATE_GUESS);
  const count = Math.min(MAX_URLS, Math.ceil(guess * (WARMUP + DURATION) * 1.5));
  const urlFile = join(WORK, `urls-${spec.key}.txt`);
  const genSeconds = writeUrlFile(urlFile, ctx.token, count, spec.waybills ?? WAYBILLS);
  log(`${label}: ${fmtInt(count)} fresh signed URLs in ${genSeconds.toFixed(1)} s`);

  const files = dataFiles(spec);
  const atStart = residency(files);
  const server = await startServer(spec, ctx, join(WORK, `${spec.key}-r${round}.log`));
  try {
    if (!isCeiling) await verifySamples(server.port, ctx.token, SAMPLES, spec.waybills);
    const warmLog = join(WORK, `wrk-${spec.key}-r${round}-warmup.log`);
    await waitQuiet(label);
    const checkBodies = !isCeiling; // the ceiling's body is a constant
    const warm = await wrk(server.port, WARMUP, urlFile, 0, warmLog, server.pids, checkBodies);
    judge(`${label} warm-up`, warm, { allowWraps: isCeiling });
    const quiet = await waitQuiet(label);
    const atRun = residency(files);
    const runLog = join(WORK, `wrk-${spec.key}-r${round}.log`);
    const raw = await wrk(server.port, DURATION, urlFile, warm.end_idx, runLog, server.pids, checkBodies);
    const res = judge(label, raw, { allowWraps: isCeiling });
    if (res.wraps) log(`${label}: the URL file wrapped ${res.wraps}x (harmless for the ceiling)`);
    res.warmupRps = warm.requests / (warm.duration_us / 1e6);
    res.peakRss = server.peakRss();
    res.cpu = raw.cpu;
    res.othersBefore = quiet;
    // Server CPU per request: the server processes' user + system time over the measured window.
    res.cpuUsPerRequest = raw.cpu ? (raw.cpu.server * 1e6) / res.rps : undefined;
    // The main thread's share, user and system apart: where the per-request work runs.
    res.mainUserUs = raw.cpu?.mainUser === undefined ? undefined : (raw.cpu.mainUser * 1e6) / res.rps;
    res.mainSystemUs = raw.cpu?.mainSystem === undefined ? undefined : (raw.cpu.mainSystem * 1e6) / res.rps;
    res.residencyAtStart = atStart;
    res.residencyAtRun = atRun;
    rateSeen[spec.key] = Math.max(rateSeen[spec.key] ?? 0, res.rps, res.warmupRps);
    const pct = (x) => (x === undefined ? '?' : (100 * x).toFixed(0) + '%');
    if (files.length) {
      log(
        `${label}: page cache before the server started: ${fmtResidency(atStart)}; before the measured run: ${fmtResidency(atRun)}`,
      );
    }
    log(
      `${label}: ${fmtInt(res.rps)} req/s  p50 ${ms(res.p50)} ms  p99 ${ms(res.p99)} ms  ` +
        `p99.9 ${ms(res.p999)} ms  max ${ms(res.max)} ms  server CPU ${res.cpuUsPerRequest === undefined ? '?' : res.cpuUsPerRequest.toFixed(1)} µs/request ` +
        `(main thread: user ${us(res.mainUserUs)} + system ${us(res.mainSystemUs)} µs) ` +
        `(${fmtInt(res.requests)} requests, all ${res.checked ? 'good' : 'HTTP 200'}; ` +
        `warm-up ${fmtInt(res.warmupRps)} req/s; CPU ${SERVER_CPU} busy ${pct(res.cpu?.serverCore)} ` +
        `(server ${pct(res.cpu?.server)}), CPU ${LOAD_CPU} busy ${pct(res.cpu?.loadCore)} (wrk ${pct(res.cpu?.wrk)}), ` +
        `others on CPU ${SERVER_CPU} ${pct(res.cpu?.othersServerCpu)} / CPU ${LOAD_CPU} ${pct(res.cpu?.othersLoadCpu)}, ` +
        `steal ${pct(res.cpu?.steal)}; server peak RSS ${res.peakRss ? fmtBytes(res.peakRss) : '?'})`,
    );
    if (res.cpu && res.cpu.serverCore < 0.9) {
      log(`${label}: warning: CPU ${SERVER_CPU} was busy only ${pct(res.cpu.serverCore)} of the time`);
    }
    if (res.cpu && res.cpu.loadCore > 0.95 && res.cpu.othersLoadCpu < 0.05) {
      log(
        `${label}: warning: wrk's CPU was ${pct(res.cpu.loadCore)} busy: the client may have limited this rate`,
      );
    }
    return res;
  } finally {
    await server.stop();
  }
}

/**
 * One run, measured again (up to BENCH_RETRIES times) while other processes disturbed it; when
 * every attempt was disturbed, the least disturbed one counts.
 */
async function measure(spec, round, ctx) {
  const label = `round ${round} ${spec.key} ${spec.label}`;
  const others = (r) => r.cpu?.othersServerCpu ?? 0;
  let best;
  let made = 0;
  for (let attempt = 1; attempt <= RETRIES + 1; attempt++) {
    made = attempt;
    const res = await measureOnce(spec, round, ctx);
    res.attempt = attempt;
    res.disturbed = others(res) > OTHERS_LIMIT;
    if (!best || others(res) < others(best)) best = res;
    if (!res.disturbed) break;
    if (attempt <= RETRIES) {
      log(
        `${label}: disturbed (other processes used ${(100 * others(res)).toFixed(0)}% of CPU ${SERVER_CPU}, limit ` +
          `${(100 * OTHERS_LIMIT).toFixed(0)}%): measuring again, attempt ${attempt + 1} of ${RETRIES + 1}`,
      );
    }
  }
  best.attempts = made;
  if (best.disturbed) {
    log(`${label}: every attempt was disturbed; counting attempt ${best.attempt}, the least disturbed`);
  }
  return best;
}

// ---------------------------------------------------------------- main

async function main() {
  const { wrkVersion, cpus } = preflight();
  // This driver (idle while wrk runs, apart from sampling CPU use) stays off the server's core.
  spawnSync('taskset', ['-a', '-p', '-c', LOAD_CPU, String(process.pid)], { stdio: 'ignore' });
  mkdirSync(WORK, { recursive: true });
  log(
    `wxtrack track bench: ${fmtInt(WAYBILLS)}${WAYBILLS_SMALL ? ` and ${fmtInt(WAYBILLS_SMALL)}` : ''} waybills, ${ROUNDS} round(s), ` +
      `${WARMUP} s warm-up + ${DURATION} s measured each, ${CONNECTIONS} keep-alive connections, Accept-Encoding: ${ACCEPT_ENCODING || '(none)'}`,
  );
  log(
    `machine: ${cpus} CPUs (${os.cpus()[0]?.model ?? '?'}), node ${process.version}, ${wrkVersion}; ` +
      `servers on CPU ${SERVER_CPU}, wrk (1 thread) on CPU ${LOAD_CPU}${NICE ? `, both at nice ${NICE}` : ''}`,
  );
  const wxEnv = Object.keys(process.env).filter((k) => k.startsWith('WXTRACK_'));
  if (wxEnv.length)
    log(`note: passing through ${wxEnv.join(', ')} to wxtrack (flags --db/--token/--port/--host win)`);
  build();

  const token = 'bench' + randomBytes(12).toString('hex');
  const ctx = { token, size: 0 };
  const db = await ensureDb(WAYBILLS);
  const specs = [
    { key: 'a', type: 'ceiling', label: 'ceiling' },
    {
      key: 'b',
      type: 'wxtrack',
      label: `wxtrack ${fmtInt(WAYBILLS)}`,
      waybills: WAYBILLS,
      dbPath: db.path,
      db,
    },
  ];
  if (BASELINE) {
    if (!existsSync(join(BASELINE, 'dist/cli/main.js')))
      throw new Invalid(`BENCH_BASELINE=${BASELINE}: no dist/cli/main.js there (build it first)`);
    specs.push({
      key: 'z',
      type: 'wxtrack',
      label: `before ${fmtInt(WAYBILLS)}`,
      waybills: WAYBILLS,
      dbPath: db.path,
      db,
      root: BASELINE,
      // Its own view: another version may store replies in another layout.
      viewPath: db.path + '-view-baseline.mdb',
    });
    log(`baseline (z): ${BASELINE} on the same database, its view in ${db.path}-view-baseline.mdb`);
  }
  if (WAYBILLS_SMALL) {
    const small = await ensureDb(WAYBILLS_SMALL);
    specs.push({
      key: 'c',
      type: 'wxtrack',
      label: `wxtrack ${fmtInt(WAYBILLS_SMALL)}`,
      waybills: WAYBILLS_SMALL,
      dbPath: small.path,
      db: small,
    });
  }
  if (PG_SERVE) {
    specs.push({ key: 'd', type: 'pg', nodes: 1, label: 'pg+redis 1 node', waybills: PG_WAYBILLS });
    if (existsSync('/usr/sbin/nginx'))
      specs.push({
        key: 'e',
        type: 'pg',
        nodes: 2,
        label: 'pg+redis 2 nodes (nginx)',
        waybills: PG_WAYBILLS,
      });
    else log('note: /usr/sbin/nginx is missing: the two-node PostgreSQL mode is skipped');
  } else {
    log('note: BENCH_PG_SERVE is not set: the PostgreSQL + Redis mode is skipped');
  }

  for (const spec of specs) if (spec.type === 'wxtrack') await warmView(spec, ctx);

  // Probe: real replies from wxtrack give the ceiling its body size (decoded: the same bytes as
  // before replies were sent gzip-encoded; the ceiling sends them uncompressed).
  const probe = await startServer(specs[1], ctx, join(WORK, 'wxtrack-probe.log'));
  let sample;
  try {
    sample = await verifySamples(probe.port, token, SAMPLES, WAYBILLS);
  } finally {
    await probe.stop();
  }
  ctx.size = Math.round(median(sample.sizes));
  ctx.wire = Math.round(median(sample.wire));
  log(
    `probe: ${SAMPLES} real replies all err_code 0; body bytes min ${Math.min(...sample.sizes)}, ` +
      `median ${ctx.size}, max ${Math.max(...sample.sizes)}; on the wire (${sample.headers['content-encoding'] ?? 'identity'}) median ${ctx.wire}; ceiling body = ${ctx.size} bytes, uncompressed`,
  );
  const shown = [
    'content-type',
    'content-encoding',
    'vary',
    'x-content-type-options',
    'cache-control',
    'referrer-policy',
  ];
  log(`probe: wxtrack reply headers: ${shown.map((h) => `${h}: ${sample.headers[h]}`).join(' | ')}`);
  log();

  const rounds = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const row = { round: r };
    for (const spec of specs) row[spec.key] = await measure(spec, r, ctx);
    for (const spec of specs.slice(1)) row[spec.key].ratio = row[spec.key].rps / row.a.rps;
    rounds.push(row);
    log(
      `round ${r}: ${specs
        .slice(1)
        .map((x) => `${x.key}/a = ${row[x.key].ratio.toFixed(3)}`)
        .join(', ')}`,
    );
    log();
  }
  return { db, ctx, rounds, specs };
}

function report({ db, ctx, rounds, specs }) {
  const med = (key, field) => median(rounds.map((x) => x[key][field]).filter((v) => v !== undefined));
  log(
    `summary (medians of ${rounds.length} interleaved round(s); latency from request write to full reply over ${CONNECTIONS} warm keep-alive connections; same run, same machine)`,
  );
  log(
    [
      'kind'.padEnd(30),
      'req/s',
      'p50 ms',
      'p99 ms',
      'p99.9 ms',
      'CPU µs/req',
      'main usr µs',
      'main sys µs',
      'x/a',
    ]
      .map((c, i) => (i ? c.padStart(11) : c))
      .join(' '),
  );
  const m = {};
  for (const spec of specs) {
    m[spec.key] = {
      rps: med(spec.key, 'rps'),
      p50: med(spec.key, 'p50'),
      p99: med(spec.key, 'p99'),
      p999: med(spec.key, 'p999'),
      cpuUsPerRequest: med(spec.key, 'cpuUsPerRequest'),
      mainUserUs: med(spec.key, 'mainUserUs'),
      mainSystemUs: med(spec.key, 'mainSystemUs'),
      ratio: spec.key === 'a' ? 1 : med(spec.key, 'ratio'),
    };
    const x = m[spec.key];
    const disturbed = rounds.some((r) => r[spec.key].disturbed) ? '*' : '';
    log(
      [
        (spec.key + ' ' + spec.label + disturbed).padEnd(30),
        fmtInt(x.rps),
        ms(x.p50),
        ms(x.p99),
        ms(x.p999),
        x.cpuUsPerRequest === undefined ? '?' : x.cpuUsPerRequest.toFixed(1),
        us(x.mainUserUs),
        us(x.mainSystemUs),
        x.ratio.toFixed(3),
      ]
        .map((c, i) => (i ? String(c).padStart(11) : c))
        .join(' '),
    );
  }
  for (const r of rounds) {
    log(
      `round ${r.round}: ` +
        specs
          .map(
            (s) =>
              `${s.key} ${fmtInt(r[s.key].rps)} req/s p99 ${ms(r[s.key].p99)} ms${s.key === 'a' ? '' : ` (${r[s.key].ratio.toFixed(3)})`}`,
          )
          .join(' | '),
    );
  }
  log(
    `a = ceiling (bare node:http, fixed ${ctx.size}-byte uncompressed body); b = wxtrack serve on ${fmtInt(db.waybills)} waybills ` +
      `x ${db.eventsPerWaybill} events (${fmtBytes(db.dbBytes)} SQLite), replies gzip-encoded (median ${ctx.wire} bytes on the wire)`,
  );
  if (rounds.some((x) => specs.some((s) => x[s.key].disturbed))) {
    log(
      `* other processes used over ${(100 * OTHERS_LIMIT).toFixed(0)}% of the server's CPU during a run of that kind, even after retries`,
    );
  }
  const ratioOk = m.b.ratio >= GOAL_RATIO;
  const p99Ok = m.b.p99 / 1000 <= GOAL_P99_MS;
  log();
  log(`goal: b/a >= ${GOAL_RATIO}: median ${m.b.ratio.toFixed(3)}  ${ratioOk ? 'PASS' : 'MISS'}`);
  log(`goal: wxtrack p99 <= ${GOAL_P99_MS} ms: median ${ms(m.b.p99)} ms  ${p99Ok ? 'PASS' : 'MISS'}`);
  let flatOk;
  if (m.c) {
    const p99Ratio = m.b.p99 / m.c.p99;
    const drop = 1 - m.b.ratio / m.c.ratio;
    flatOk = p99Ratio <= 1.3 && drop <= 0.1;
    log(
      `goal: flat (${fmtInt(WAYBILLS)} vs ${fmtInt(WAYBILLS_SMALL)} waybills): p99 ratio ${p99Ratio.toFixed(2)} (<= 1.3), ` +
        `b/a drop ${(100 * drop).toFixed(1)}% (<= 10%)  ${flatOk ? 'PASS' : 'MISS'}`,
    );
  }
  log(`goal: ${ratioOk && p99Ok && flatOk !== false ? 'PASS' : 'MISS'}`);
  const mainUs = (x) => x.mainUserUs + x.mainSystemUs;
  log(
    `main thread per request: ceiling user ${us(m.a.mainUserUs)} + system ${us(m.a.mainSystemUs)} µs; ` +
      `wxtrack user ${us(m.b.mainUserUs)} + system ${us(m.b.mainSystemUs)} µs (${(mainUs(m.b) / mainUs(m.a)).toFixed(2)}x the ceiling)`,
  );
  if (m.z) {
    log(
      `before (z) -> after (b): b/a ${m.z.ratio.toFixed(3)} -> ${m.b.ratio.toFixed(3)}; main thread ` +
        `${mainUs(m.z).toFixed(1)} -> ${mainUs(m.b).toFixed(1)} µs/request (x${(mainUs(m.b) / mainUs(m.z)).toFixed(2)}); ` +
        `p99 ${ms(m.z.p99)} -> ${ms(m.b.p99)} ms`,
    );
  }
  const file = join(CACHE_DIR, `track-results-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    JSON.stringify(
      {
        waybills: db.waybills,
        waybillsSmall: WAYBILLS_SMALL,
        events: db.events,
        dbBytes: db.dbBytes,
        genSeconds: db.genSeconds,
        bodyBytes: ctx.size,
        wireBytes: ctx.wire,
        acceptEncoding: ACCEPT_ENCODING,
        duration: DURATION,
        warmup: WARMUP,
        connections: CONNECTIONS,
        nice: NICE,
        kinds: specs.map(({ key, type, label, waybills, nodes }) => ({ key, type, label, waybills, nodes })),
        rounds,
        median: m,
        goal: { ratio: ratioOk, p99: p99Ok, flat: flatOk },
      },
      null,
      2,
    ) + '\n',
  );
  log(`results: ${file}`);
}

try {
  const result = await main();
  log();
  report(result);
  for (const key of ['a', 'b', 'z', 'c', 'd', 'e']) rmSync(join(WORK, `urls-${key}.txt`), { force: true });
  // Pull mode beside store mode, in a file of its own (bench/track/pull-mode.mjs); BENCH_PULL=0 skips it.
  if (process.env.BENCH_PULL !== '0') {
    const pull = await (await import('./pull-mode.mjs')).runPullBench();
    if (!pull.valid) process.exitCode = 1;
  }
} catch (err) {
  killChildren();
  if (err instanceof Invalid) {
    console.error(`\nbench INVALID: ${err.message}`);
    process.exitCode = 1;
  } else {
    console.error(err);
    process.exitCode = 1;
  }
}
