/**
 * End to end, `serve --workers 2 --metrics-port P`: one scrape sums both workers. The queries are
 * sent on fresh connections, which the cluster spreads over both workers; every scrape then reads
 * the total, not one worker's share, and the total does not fall when a worker dies and is
 * replaced (Prometheus would read a fall as a counter reset). Runs against dist/ with a
 * redis-server of its own.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startRedisServer, type RedisServer } from '../guard/redis/testing/redis-server.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { BIN, spawnServe, type ServeProcess } from '../testing/serve-process.js';
import { needs } from '../testing/services.js';

const services = await needs('redis-server');

const TOKEN = 'metrics-workers-token';
const dir = mkdtempSync(join(tmpdir(), 'wxtrack-metrics-workers-'));
let redis: RedisServer;
let server: ServeProcess;
let metricsUrl = '';

const childrenOf = (pid: number): number[] =>
  spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);

/** Write system calls a process has made: each reply it sends adds some. */
const writeCalls = (pid: number): number =>
  Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);

let nonce = 0;
async function queries(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const url = signedQueryUrl({
      url: `${server.origin}/wechat/track`,
      token: TOKEN,
      orderid: 'YT3000000000001',
      openid: 'oM',
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: `m${nonce++}`,
    });
    const res = await fetch(url, { headers: { connection: 'close' } });
    expect(JSON.parse((await res.text()).slice(10, -1)).err_code).toBe(0);
  }
}

/** `wxtrack_queries_total{err_code="0",…}` summed over carriers, from one scrape. */
async function served(): Promise<number> {
  const res = await fetch(metricsUrl);
  expect(res.status).toBe(200);
  const text = await res.text();
  let total = 0;
  for (const m of text.matchAll(/^wxtrack_queries_total\{([^}]*)\} (\d+)$/gm))
    if (/err_code="0"/.test(m[1]!)) total += Number(m[2]);
  return total;
}

beforeAll(async () => {
  if (!services.available) return;
  redis = await startRedisServer();
  const db = join(dir, 'm.db');
  const imported = spawnSync(process.execPath, [BIN, 'import', '-', '--db', db, '--quiet', '--create'], {
    input:
      JSON.stringify({
        waybill: 'YT3000000000001',
        event_id: 'm1',
        time: new Date(Date.now() - 60_000).toISOString(),
        status: 1,
        description: '已揽收',
      }) + '\n',
    encoding: 'utf8',
  });
  expect(imported.status, imported.stderr).toBe(0);
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  server = await spawnServe(
    [
      ...['--db', db, '--redis', redis.url, '--workers', '2', '--token', TOKEN],
      ...['--waybill-pattern', 'YT\\d{13}', '--port', String(await freePort())],
      ...['--metrics-port', String(metricsPort)],
    ],
    { ...process.env, WXTRACK_GUARD_SECRET: randomBytes(16).toString('hex'), WXTRACK_CONFIG: '' },
    60_000,
  );
  await server.logged('wxtrack listening with every worker');
}, 120_000);

afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  for (const pid of server ? childrenOf(server.child.pid!) : []) process.kill(pid, 'SIGKILL');
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

services.describe('metrics under serve --workers 2', () => {
  it('sums both workers in every scrape', async () => {
    const workers = childrenOf(server.child.pid!);
    expect(workers).toHaveLength(2);
    const before = workers.map(writeCalls);
    await queries(40);
    // both workers answered some of them
    expect(workers.map((pid, i) => writeCalls(pid) - before[i]!).every((n) => n > 0)).toBe(true);
    expect([await served(), await served(), await served()]).toEqual([40, 40, 40]);
  }, 30_000);

  it('keeps a dead worker’s counts in the total once another replaces it', async () => {
    const [victim] = childrenOf(server.child.pid!);
    process.kill(victim!, 'SIGKILL');
    await server.logged('worker died; starting another');
    const deadline = Date.now() + 60_000;
    while (
      Date.now() < deadline &&
      server.lines.filter((l) => l.msg === 'wxtrack listening with every worker').length < 2
    )
      await new Promise((r) => setTimeout(r, 50));
    expect(await served()).toBe(40);
    await queries(10);
    expect(await served()).toBe(50);
  }, 90_000);
});
