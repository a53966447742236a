/**
 * End to end, scale-out: two real gateway nodes (`wxtrack serve` child processes) on one
 * PostgreSQL database and one Redis replay guard, behind the nginx snippet that
 * docs/deployment.md publishes. What a courier running N nodes relies on:
 *
 * - a signature bound on node 1 is refused on node 2 for another parcel (40003);
 * - a push on node 1 shows on node 2 within 1 s, including over a reply node 2 had cached;
 * - node 1 killed: nginx keeps serving from node 2;
 * - Redis stopped: 50001 (fail closed); Redis back: served again, without a restart;
 * - the per-client rate limit behind nginx (`--trusted-proxy`): 50 client addresses
 *   (127.0.0.2–127.0.0.51, real sockets bound with localAddress) each within its budget get no
 *   42901; one client over its budget does, at the first query past it, although nginx spreads its
 *   queries over both nodes (one budget in Redis) and it forges X-Forwarded-For on each;
 * - nginx's own logs, as the snippet writes them, hold no `openid=` and no `signature=`.
 *
 * Every other query comes from an address of its own in 127.2.0.0/16, so only the rate-limit
 * cases spend a budget.
 * Uses the PostgreSQL and Redis of the machine (a database and a redis-server of its own, both
 * removed afterwards) and Debian's nginx. Runs against dist/ (`npm test` builds first).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startRedisServer, type RedisServer } from '../guard/redis/testing/redis-server.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { BIN, spawnServe, type ServeProcess } from '../testing/serve-process.js';
import { executables, needs, TEST_POSTGRES_URL, testPostgresUrl } from '../testing/services.js';

const services = await needs('postgres', 'redis-server', 'nginx');
const ADMIN_URL = TEST_POSTGRES_URL;
const DB_NAME = `wxtrack_e2e_${randomBytes(4).toString('hex')}`;
const DB_URL = testPostgresUrl({ database: DB_NAME });
const TOKEN = 'scale-out-token';
const SECRET = randomBytes(24).toString('hex');
/** Everything this test writes (nginx's files and logs, each node's reply view) goes here. */
let dir = '';
/** nginx's logs, as the snippet writes them (its /var/log/nginx/). */
let logs = '';
/** Queries a client address may send a minute, on both nodes together. */
const RATE_LIMIT = 40;

let redis: RedisServer;
let node1: ServeProcess;
let node2: ServeProcess;
let nginx: ChildProcess | undefined;
let nginxOrigin = '';
let apiKey = '';
const children: ChildProcess[] = [];

/** WeChat's client: strip `WxOrderCb(` and `)`, then JSON.parse. */
const wechatParse = (body: string) =>
  JSON.parse(body.replace(/^WxOrderCb\(/, '').replace(/\)\s*$/, '')) as {
    err_code: number;
    traces?: { accept_address: string }[];
  };

let nonce = 1;
function signed(
  origin: string,
  orderid: string,
  openid = 'oUser1',
  fixed?: { timestamp: string; nonce: string },
) {
  return signedQueryUrl({
    url: `${origin}/wechat/track`,
    token: TOKEN,
    orderid,
    openid,
    timestamp: fixed?.timestamp ?? String(Math.floor(Date.now() / 1000)),
    nonce: fixed?.nonce ?? String(nonce++),
  });
}

/** A GET over a fresh socket from `from` (a loopback address), bounded to 10 s. */
function get(
  url: string,
  from: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, localAddress: from, headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no reply within 10 s')));
    req.on('error', reject);
    req.end();
  });
}

/** An address of its own in 127.2.0.0/16 for each query that is not about the rate limit. */
let sources = 0;
const nextSource = () => `127.2.${Math.floor(sources / 250) % 250}.${(sources++ % 250) + 1}`;

async function query(url: string, from = nextSource(), headers: Record<string, string> = {}) {
  const res = await get(url, from, headers);
  return { status: res.status, reply: wechatParse(res.body) };
}

async function push(origin: string, events: object[]) {
  const res = await fetch(`${origin}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(events),
  });
  expect(res.status).toBe(200);
}

const scan = (waybill: string, id: string, status: number, description: string, minutesAgo: number) => ({
  waybill,
  event_id: id,
  time: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  status,
  description,
});

/** Polls `probe` until it returns true or `withinMs` passes; resolves with the time taken or -1. */
async function within(withinMs: number, probe: () => Promise<boolean>): Promise<number> {
  const start = Date.now();
  while (Date.now() - start <= withinMs) {
    if (await probe()) return Date.now() - start;
    await new Promise((r) => setTimeout(r, 20));
  }
  return -1;
}

const serveArgs = (port: number) => [
  '--db',
  DB_URL,
  '--redis',
  redis.url,
  '--token',
  TOKEN,
  '--waybill-pattern',
  'YT\\d{13}',
  '--port',
  String(port),
  '--log-level',
  'info',
  '--view',
  join(dir, `view-${port}.mdb`),
  '--rate-limit',
  String(RATE_LIMIT),
  // nginx runs on this machine: its X-Forwarded-For names the client.
  '--trusted-proxy',
  '127.0.0.1',
];
const nodeEnv = { ...process.env, WXTRACK_GUARD_SECRET: SECRET, WXTRACK_CONFIG: '' };

/** The ```nginx block of docs/deployment.md, pointed at this test's ports. */
function nginxConfig(listen: number, upstreams: readonly number[]): string {
  const doc = readFileSync(new URL('../../docs/deployment.md', import.meta.url), 'utf8');
  const block = /```nginx\n([\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/deployment.md has no nginx block');
  const servers = upstreams.map((p) => `    server 127.0.0.1:${p} max_fails=1 fail_timeout=5s;`).join('\n');
  const site = block
    .replace(/( {4}server 127\.0\.0\.1:\d+ [^\n]*\n)+/, servers + '\n')
    .replace('listen 80;', `listen 127.0.0.1:${listen};`)
    .replaceAll('/var/log/nginx/', logs + '/');
  return [
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(logs, 'main-error.log')} error;`,
    'events { worker_connections 256; }',
    'http {',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
      (t) => `  ${t}_temp_path ${join(dir, 'nginx', t)};`,
    ),
    site,
    '}',
  ].join('\n');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxtrack-scale-'));
  logs = join(dir, 'logs');
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DB_NAME}`);
  await admin.end();
  redis = await startRedisServer();
  const [p1, p2] = [await freePort(), await freePort()];
  node1 = await spawnServe(serveArgs(p1), nodeEnv, 60_000);
  children.push(node1.child);
  node2 = await spawnServe(serveArgs(p2), nodeEnv, 60_000);
  children.push(node2.child);

  const created = spawnSync(process.execPath, [BIN, 'keys', 'create', '--name', 'e2e', '--db', DB_URL], {
    encoding: 'utf8',
    env: nodeEnv,
  });
  expect(created.status, created.stderr).toBe(0);
  apiKey = created.stdout.trim();

  mkdirSync(join(dir, 'nginx'), { recursive: true });
  mkdirSync(logs, { recursive: true });
  const listen = await freePort();
  writeFileSync(join(dir, 'nginx.conf'), nginxConfig(listen, [p1, p2]));
  nginx = spawn(
    executables.nginx() ?? 'nginx',
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  children.push(nginx);
  nginxOrigin = `http://127.0.0.1:${listen}`;
  const up = await within(10_000, async () => {
    try {
      return (await get(`${nginxOrigin}/healthz`, nextSource())).status === 200;
    } catch {
      return false;
    }
  });
  expect(up).toBeGreaterThanOrEqual(0);
}, 180_000);

afterAll(async () => {
  // nginx's master must stop its worker itself (SIGTERM): killed outright, it leaves the worker behind.
  if (nginx && nginx.exitCode === null && nginx.signalCode === null) {
    const exited = new Promise((r) => nginx!.once('exit', r));
    nginx.kill('SIGTERM');
    await exited;
  }
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await redis?.stop();
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  await admin.end();
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 30_000);

services.describe('two gateway nodes on PostgreSQL and Redis', () => {
  it('refuses on node 2 a signature bound on node 1, for another parcel (40003)', async () => {
    await push(node1.origin, [
      scan('YT1000000000001', 'a1', 1, '已揽收', 30),
      scan('YT1000000000002', 'b1', 1, '已揽收', 30),
    ]);
    const fixed = { timestamp: String(Math.floor(Date.now() / 1000)), nonce: String(900_000 + nonce++) };
    const first = await query(signed(node1.origin, 'YT1000000000001', 'oUser1', fixed));
    expect(first.reply.err_code).toBe(0);
    const replayed = await query(signed(node2.origin, 'YT1000000000002', 'oUser1', fixed));
    expect(replayed.reply.err_code).toBe(40003);
    // the same URL again (a page refresh) is served on either node
    expect((await query(signed(node2.origin, 'YT1000000000001', 'oUser1', fixed))).reply.err_code).toBe(0);
  });

  it('shows a push on node 1 on node 2 within 1 s, over a reply node 2 had cached', async () => {
    const waybill = 'YT1000000000003';
    await push(node1.origin, [scan(waybill, 'c1', 1, '已揽收', 20)]);
    const seen = await within(
      1000,
      async () => (await query(signed(node2.origin, waybill))).reply.err_code === 0,
    );
    expect(seen).toBeGreaterThanOrEqual(0);
    // node 2 now holds the one-trace reply; a second scan pushed on node 1 must replace it there
    await push(node1.origin, [scan(waybill, 'c2', 2, '运输中', 10)]);
    const updated = await within(1000, async () => {
      const { reply } = await query(signed(node2.origin, waybill));
      return reply.traces?.length === 2;
    });
    expect(updated).toBeGreaterThanOrEqual(0);
  });

  it('gives 50 client addresses behind nginx a budget each: none within it gets 42901', async () => {
    await push(node1.origin, [scan('YT1000000000009', 'r1', 1, '已揽收', 30)]);
    const client = async (n: number) => {
      const from = `127.0.0.${n + 2}`;
      const codes: number[] = [];
      for (let i = 0; i < RATE_LIMIT; i++)
        codes.push((await query(signed(nginxOrigin, 'YT1000000000009', `oRate${n}`), from)).reply.err_code);
      return codes;
    };
    const all = await Promise.all(Array.from({ length: 50 }, (_, n) => client(n)));
    expect(all.flat()).toHaveLength(50 * RATE_LIMIT);
    expect(all.flat().filter((c) => c === 42901)).toEqual([]);
    expect(new Set(all.flat())).toEqual(new Set([0]));
  }, 120_000);

  it('answers 42901 to one client past its budget, counted over both nodes, whatever X-Forwarded-For it forges', async () => {
    // A run must fit in one minute window to be judged: one straddling the minute is run again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const minute = Math.floor(Date.now() / 60_000);
      const from = `127.0.0.${52 + attempt}`;
      const codes: number[] = [];
      for (let i = 0; i <= RATE_LIMIT; i++) {
        const forged = { 'x-forwarded-for': `198.51.100.${i}`, 'x-real-ip': `198.51.100.${i}` };
        codes.push(
          (await query(signed(nginxOrigin, 'YT1000000000009', 'oGreedy'), from, forged)).reply.err_code,
        );
      }
      if (Math.floor(Date.now() / 60_000) !== minute) continue;
      expect(codes.slice(0, RATE_LIMIT)).toEqual(Array(RATE_LIMIT).fill(0));
      expect(codes[RATE_LIMIT]).toBe(42901);
      // Another client through the same nginx is not affected.
      expect((await query(signed(nginxOrigin, 'YT1000000000009'), '127.0.0.60')).reply.err_code).toBe(0);
      return;
    }
    throw new Error('every run straddled a minute');
  }, 60_000);

  it('keeps serving through nginx when node 1 is killed', async () => {
    const viaNginx = async () => (await query(signed(nginxOrigin, 'YT1000000000001'))).reply.err_code;
    expect(await viaNginx()).toBe(0);
    node1.child.kill('SIGKILL');
    await new Promise((r) => node1.child.once('exit', r));
    const codes: number[] = [];
    for (let i = 0; i < 10; i++) codes.push(await viaNginx());
    expect(codes).toEqual(Array(10).fill(0));
  });

  it('answers 50001 while Redis is down, and serves again once it is back, without a restart', async () => {
    const port = redis.port;
    await redis.stop();
    const refused = await query(signed(node2.origin, 'YT1000000000001'));
    expect(refused.reply.err_code).toBe(50001);
    expect(refused.reply).not.toHaveProperty('traces');
    redis = await startRedisServer(port);
    // The new Redis has forgotten every binding. Until a signature stamped after the loss (less
    // the guard's 10 s margin for clocks) arrives, a query may have been bound before the loss and
    // is refused with 40003 instead of bound anew (guard/redis/check-script.ts); then it serves.
    const seen = new Set<number>();
    const back = await within(25_000, async () => {
      const code = (await query(signed(node2.origin, 'YT1000000000001'))).reply.err_code;
      seen.add(code);
      return code === 0;
    });
    expect(back).toBeGreaterThanOrEqual(0);
    expect([...seen].filter((c) => c !== 0 && c !== 50001 && c !== 40003)).toEqual([]);
  }, 60_000);

  it("leaves no openid, signature or nonce in nginx's logs, failovers included", async () => {
    // nginx writes its access log as each request ends; its files are complete once it has stopped.
    const exited = new Promise((r) => nginx!.once('exit', r));
    nginx!.kill('SIGTERM');
    await exited;
    const files = readdirSync(logs);
    expect(files).toContain('wxtrack-access.log');
    const access = readFileSync(join(logs, 'wxtrack-access.log'), 'utf8');
    // The snippet's log does record the traffic: the rate-limit queries, one line each.
    expect(access.split('\n').filter((l) => l.includes('GET /wechat/track')).length).toBeGreaterThan(
      50 * RATE_LIMIT,
    );
    for (const file of files) {
      const text = readFileSync(join(logs, file), 'utf8');
      for (const secret of ['openid=', 'signature=', 'nonce=', 'orderid='])
        expect(text.includes(secret), `${file} holds ${secret}`).toBe(false);
    }
  });
});
