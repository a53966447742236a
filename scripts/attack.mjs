#!/usr/bin/env node
/**
 * @module
 * A bounded attack run against a real `wxtrack serve` on 127.0.0.1: slow clients, connection
 * floods, oversized and mistyped pushes, echo probes, hostile queries, rate and log floods, and
 * the secret-flag warning. Prints one table row per case class: cases tried, failures found.
 *
 *   node scripts/attack.mjs [--bin bin/wxtrack.js] [--legacy]
 *
 * `--legacy` starts the server with only the flags every version knows (to measure an older
 * build). Every loop is bounded in count and time; nothing leaves 127.0.0.1.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    bin: { type: 'string', default: 'bin/wxtrack.js' },
    legacy: { type: 'boolean', default: false },
  },
});
const TOKEN = 'attack-token-1';
const dir = mkdtempSync(join(tmpdir(), 'wxtrack-attack-'));
const db = join(dir, 'a.db');
const MARK = 'Zz9attackMark';
const env = { ...process.env, WXTRACK_CONFIG: '', WXTRACK_TOKEN: '', WXTRACK_PORT: '', WXTRACK_DB: '' };

const key = execFileSync(process.execPath, [opts.bin, 'keys', 'create', '--name', 'attack', '--db', db], {
  env,
})
  .toString()
  .trim();

function startServe(extra) {
  const args = [
    opts.bin,
    'serve',
    '--token',
    TOKEN,
    '--db',
    db,
    '--port',
    '0',
    '--log-level',
    'info',
    ...extra,
  ];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill(), reject(new Error('serve did not start'))), 20_000);
    createInterface({ input: child.stdout }).on('line', (text) => {
      let line;
      try {
        line = JSON.parse(text);
      } catch {
        return;
      }
      lines.push(line);
      if (line.msg === 'wxtrack listening') {
        clearTimeout(timer);
        resolve({ child, lines, port: Number(new URL(line.origin).port), metrics: line.metrics });
      }
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

/** Raw exchange: resolves with what came back and whether the server closed, within boundMs. */
function raw(port, bytes, boundMs = 5000, { hold = false } = {}) {
  return new Promise((resolve) => {
    const chunks = [];
    const started = Date.now();
    const s = connect({ host: '127.0.0.1', port });
    let done = false;
    const finish = (closed, error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({
        text,
        closed,
        error,
        ms: Date.now() - started,
        status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1]),
      });
    };
    const timer = setTimeout(() => finish(false), boundMs);
    s.on('data', (c) => chunks.push(c));
    s.on('error', (e) => finish(true, e.code));
    s.on('close', () => finish(true));
    if (bytes) s.write(bytes);
    if (hold) s.on('connect', () => {});
  });
}

function post(port, size, headers, expect100) {
  return new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/events',
      headers: {
        'content-length': String(size),
        ...(expect100 ? { expect: '100-continue' } : {}),
        ...headers,
      },
    });
    const chunk = Buffer.alloc(65536, 0x20);
    let sent = 0;
    const writeAll = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once('drain', writeAll);
      }
      req.end();
    };
    // Like curl: without a 100 within 1 s, send anyway.
    const wait = expect100 ? setTimeout(writeAll, 1000) : undefined;
    req.on('continue', () => {
      clearTimeout(wait);
      writeAll();
    });
    req.on('response', (res) => {
      clearTimeout(wait);
      const c = [];
      res.on('data', (d) => c.push(d));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          bytes: Buffer.concat(c).length,
          text: Buffer.concat(c).toString(),
        }),
      );
    });
    req.on('error', (e) => {
      clearTimeout(wait);
      resolve({ error: e.code ?? e.message });
    });
    if (!expect100) writeAll();
  });
}

const sign = (ts, nonce) => createHash('sha1').update([TOKEN, ts, nonce].sort().join('')).digest('hex');
const signedPath = (i) => {
  const ts = String(Math.floor(Date.now() / 1000));
  const nonce = `n${i}x${randomBytes(4).toString('hex')}`;
  return `/wechat/track?orderid=YT1234567890123&openid=o${i}&signature=${sign(ts, nonce)}&timestamp=${ts}&nonce=${nonce}&callback=WxOrderCb`;
};
const header = (text, name) =>
  new RegExp(`^${name}:\\s*(.*)$`, 'mi').exec(text.split('\r\n\r\n')[0])?.[1]?.trim();
const body = (text) => text.slice(text.indexOf('\r\n\r\n') + 4);

const rows = [];
const row = (name, tried, failures, note = '') => {
  rows.push({ name, tried, failures, note });
  console.error(`${name}: ${failures}/${tried} ${note}`);
};

const gw = await startServe(opts.legacy ? [] : ['--rate-limit', '100', '--metrics-port', '0']);
const { port } = gw;
try {
  // 1-3: slow clients, all at once; each is a failure if still open after 15 s.
  const slowHeads = Array.from({ length: 20 }, () =>
    raw(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 15_000),
  );
  const unsent = Array.from({ length: 10 }, () =>
    raw(
      port,
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n[`,
      15_000,
    ),
  );
  const trickled = Array.from({ length: 5 }, async () => {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    s.write(
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
    );
    let n = 0;
    const tick = setInterval(() => (n++ < 20 && !s.destroyed ? s.write(' ') : clearInterval(tick)), 1000);
    const closed = await new Promise((r) => {
      const t = setTimeout(() => r(false), 15_000);
      s.once('close', () => (clearTimeout(t), r(true)));
    });
    clearInterval(tick);
    s.destroy();
    return { closed };
  });
  // 4: 300 slow connections, then 20 normal queries.
  const flood = [];
  for (let i = 0; i < 300; i++) {
    const s = connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    flood.push(s);
  }
  await new Promise((r) => setTimeout(r, 300));
  let floodFail = 0;
  for (let i = 0; i < 20; i++) {
    const r = await raw(port, `GET ${signedPath(i)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 5000);
    if (r.status !== 200 || !body(r.text).startsWith('WxOrderCb(')) floodFail++;
  }
  for (const s of flood) s.destroy();
  const heads = await Promise.all(slowHeads);
  row(
    'slow request head (closed within 15 s)',
    heads.length,
    heads.filter((r) => !r.closed).length,
    `max ${Math.max(...heads.map((r) => r.ms))} ms`,
  );
  const uns = await Promise.all(unsent);
  row('announced body never sent (closed within 15 s)', uns.length, uns.filter((r) => !r.closed).length);
  const tr = await Promise.all(trickled);
  row('push body at 1 byte/s (closed within 15 s)', tr.length, tr.filter((r) => !r.closed).length);
  row('normal query beside 300 slow connections', 20, floodFail);

  // 5: oversized push, with and without Expect; failure unless the client reads a 413.
  let big = 0;
  let bigFail = 0;
  for (const expect100 of [true, false]) {
    for (let i = 0; i < 3; i++) {
      big++;
      const r = await post(
        port,
        10_485_761,
        { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        expect100,
      );
      if (r.status !== 413) bigFail++;
    }
  }
  row('10,485,761-byte push reads its 413', big, bigFail);

  // 6: text/plain pushes must be 415.
  let plainFail = 0;
  for (let i = 0; i < 5; i++) {
    const r = await post(port, 0, { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, false);
    if (r.status !== 415) plainFail++;
  }
  row('text/plain push refused with 415', 5, plainFail);

  // 7: echo probes: no marker, nosniff and no-store on every reply.
  const probes = [
    `GET /wechat/track/?callback=WxOrderCb&x=<script>${MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `GET /wechat/track%ZZ<script>${MARK}?callback=WxOrderCb&signature=${MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `POST /wechat/track?${MARK} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    `DELETE /healthz?${MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `GET /${MARK}/<script> HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `GET /healthz HTTP/1.1\r\nHost: x\r\nX-${MARK}: ${'a'.repeat(20000)}\r\n\r\n`,
    `GET /${MARK} <script>\r\n\r\n`,
    `GET /v1/${MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
  ];
  let echoTried = 0;
  let echoFail = 0;
  for (let round = 0; round < 6; round++) {
    for (const p of probes) {
      echoTried++;
      const r = await raw(port, p);
      const bad =
        r.text.includes(MARK) ||
        header(r.text, 'x-content-type-options') !== 'nosniff' ||
        header(r.text, 'cache-control') !== 'no-store';
      if (bad) echoFail++;
    }
  }
  row('error replies echo nothing, carry nosniff + no-store', echoTried, echoFail);

  // 8: 2 MiB of "1\n" must not make a reply over 1 MB.
  const huge = await new Promise((resolve) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/events',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/x-ndjson' },
    });
    req.on('response', (res) => {
      let n = 0;
      res.on('data', (c) => (n += c.length));
      res.on('end', () => resolve(n));
    });
    req.on('error', () => resolve(-1));
    req.end('1\n'.repeat(1024 * 1024));
  });
  row('2 MiB of "1\\n" push: reply under 1 MB', 1, huge > 1_000_000 || huge < 0 ? 1 : 0, `${huge} bytes`);

  // 9-10: hostile queries: every reply is WxOrderCb(JSON) or a fixed 400, without the marker.
  let hostile = 0;
  let hostileFail = 0;
  let limited = 0;
  const pieces = [
    'orderid',
    'openid',
    'signature',
    'timestamp',
    'nonce',
    'callback',
    'company_id',
    MARK,
    '%ZZ',
    '<script>',
    '\u2028',
    '==',
  ];
  for (let i = 0; i < 600; i++) {
    const q = Array.from(
      { length: 1 + (i % 7) },
      (_, j) => `${pieces[(i * 7 + j) % pieces.length]}=${pieces[(i + j * 3) % pieces.length]}${MARK}`,
    ).join('&');
    const r = await raw(
      port,
      Buffer.from(
        `GET /wechat/track?${q}&callback=WxOrderCb HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      ),
    );
    hostile++;
    const b = body(r.text);
    const ok = !r.text.includes(MARK) && (r.status === 400 || /^WxOrderCb\(\{.*\}\)$/.test(b));
    if (b.includes('42901')) limited++;
    if (!ok) hostileFail++;
  }
  row('hostile queries: constant replies, no echo', hostile, hostileFail);
  row(
    'per-client rate limit (100/min) answers 42901',
    1,
    limited > 0 ? 0 : 1,
    `${limited} of ${hostile} limited`,
  );

  // 11: refusal log lines for 600 refused queries.
  const refusalLines = gw.lines.filter((l) => l.msg === 'track query refused').length;
  row('refusal log lines for 600 refusals (≤ 50)', 1, refusalLines > 50 ? 1 : 0, `${refusalLines} lines`);

  // 12: metrics on their own loopback listener.
  let metricsFail = 1;
  if (gw.metrics) {
    const m = await fetch(`${gw.metrics}/metrics`)
      .then((r) => r.text())
      .catch(() => '');
    const onMain = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.status);
    metricsFail =
      m.includes('wxtrack_queries_total') && m.includes('nodejs_eventloop_lag_seconds') && onMain === 404
        ? 0
        : 1;
  }
  row('metrics on a separate loopback listener', 1, metricsFail);

  // 13: the --token flag is warned about.
  const warned = gw.lines.some((l) => l.msg === 'secret on the command line') ? 0 : 1;
  row('--token on the command line is warned about', 1, warned);
} finally {
  gw.child.kill('SIGTERM');
  await new Promise((r) => gw.child.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}

console.log('| case class | cases tried | failures |');
console.log('| --- | ---: | ---: |');
for (const r of rows)
  console.log(`| ${r.name}${r.note ? ` (${r.note})` : ''} | ${r.tried} | ${r.failures} |`);
