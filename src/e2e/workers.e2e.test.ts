/**
 * End to end, `serve --workers 2`: one port, two serving processes sharing one Redis replay
 * guard, and a primary that replaces a dead worker and stops them all on SIGTERM. Runs against
 * dist/ (`npm test` builds first), with a redis-server of its own.
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

const TOKEN = 'workers-token';
const services = await needs('redis-server');
let dir = '';
let redis: RedisServer;
let server: ServeProcess;

/** The PIDs of a process's children, from /proc. */
function childrenOf(pid: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean).map(Number);
}

/** Write system calls a process has made (/proc/PID/io): each reply it sends adds some. */
function writeCalls(pid: number): number {
  return Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1]);
}

async function within(ms: number, probe: () => boolean | Promise<boolean>): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxtrack-workers-'));
  redis = await startRedisServer();
  const db = join(dir, 'w.db');
  const imported = spawnSync(process.execPath, [BIN, 'import', '-', '--db', db, '--quiet', '--create'], {
    input:
      JSON.stringify({
        waybill: 'YT2000000000001',
        event_id: 'w1',
        time: new Date(Date.now() - 60_000).toISOString(),
        status: 1,
        description: '已揽收',
      }) + '\n',
    encoding: 'utf8',
  });
  expect(imported.status, imported.stderr).toBe(0);
  server = await spawnServe(
    [
      '--db',
      db,
      '--redis',
      redis.url,
      '--workers',
      '2',
      '--token',
      TOKEN,
      '--waybill-pattern',
      'YT\\d{13}',
      '--port',
      String(await freePort()),
    ],
    { ...process.env, WXTRACK_GUARD_SECRET: randomBytes(16).toString('hex'), WXTRACK_CONFIG: '' },
  );
  await server.logged('wxtrack listening with every worker');
}, 60_000);

afterAll(async () => {
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  for (const pid of server ? childrenOf(server.child.pid!) : []) process.kill(pid, 'SIGKILL');
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

services.describe('serve --workers 2', () => {
  it('serves one port from two processes that share the replay guard', async () => {
    const workers = childrenOf(server.child.pid!);
    expect(workers).toHaveLength(2);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const url = (orderid: string, nonce: string) =>
      signedQueryUrl({
        url: `${server.origin}/wechat/track`,
        token: TOKEN,
        orderid,
        openid: 'oW',
        timestamp,
        nonce,
      });
    // Fresh connections, so the cluster spreads them over both workers: every replay is refused
    // whichever worker bound the signature.
    const writesBefore = workers.map(writeCalls);
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) {
      const first = await fetch(url('YT2000000000001', `n${i}`), { headers: { connection: 'close' } });
      codes.push(JSON.parse((await first.text()).slice(10, -1)).err_code);
      const replay = await fetch(url('YT2000000000002', `n${i}`), { headers: { connection: 'close' } });
      codes.push(JSON.parse((await replay.text()).slice(10, -1)).err_code);
    }
    expect(codes).toEqual(Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 0 : 40003)));
    // both workers answered: each wrote replies to sockets (the kernel counts write calls per process)
    const written = workers.map((pid, i) => writeCalls(pid) - writesBefore[i]!);
    expect(written.every((n) => n > 0)).toBe(true);
  });

  it('replaces a worker that dies', async () => {
    const [victim] = childrenOf(server.child.pid!);
    process.kill(victim!, 'SIGKILL');
    const replaced = await within(15_000, () => {
      const now = childrenOf(server.child.pid!);
      return now.length === 2 && !now.includes(victim!);
    });
    expect(replaced).toBe(true);
    // The new worker can show in /proc before the primary's log line is read: wait for the line.
    expect((await server.logged('worker died; starting another')).msg).toBe('worker died; starting another');
  }, 30_000);

  it('stops every worker on SIGTERM and exits 0', async () => {
    const workers = childrenOf(server.child.pid!);
    const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of workers) expect(() => process.kill(pid, 0)).toThrow();
  }, 40_000);
});
