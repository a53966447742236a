/**
 * End to end, `serve --workers 2` (SQLite and a redis-server of its own): workers killed with
 * SIGKILL while queries and pushes run, each on a fresh connection. No connection may be left
 * without an answer: each is answered by a live worker, or closed. Counted: replies, connections
 * closed or reset, and hung ones (no reply and no close within 10 s), plus sockets left in
 * CLOSE-WAIT on the server's port afterwards. Runs against dist/ (`npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort, startRedisServer, type RedisServer } from '../guard/redis/testing/redis-server.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { BIN, spawnServe, type ServeProcess } from '../testing/serve-process.js';
import { needs } from '../testing/services.js';

const redisServer = await needs('redis-server');

const TOKEN = 'deaths-token';
const WAYBILLS = 20;
const KILLS = 8;
const HUNG_MS = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'wxtrack-deaths-'));
let redis: RedisServer;
let server: ServeProcess;
let port: number;
let apiKey: string;

const childrenOf = (pid: number): number[] =>
  spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean)
    .map(Number);

async function within(ms: number, probe: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (probe()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/** Sockets in CLOSE-WAIT whose local port is `port` (/proc/net/tcp and tcp6; state 08). */
function closeWait(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 3 && f[1]!.endsWith(':' + hex) && f[3] === '08') n++;
    }
  }
  return n;
}

type Outcome = 'answered' | 'closed' | 'hung';
/** How closed connections ended (error codes), for the test's report. */
const closedBy = new Map<string, number>();
const note = (what: string) => closedBy.set(what, (closedBy.get(what) ?? 0) + 1);

/** One request on a connection of its own; how it ended. */
function once(method: 'GET' | 'POST', path: string, body?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (o: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        headers: {
          connection: 'close',
          ...(body === undefined
            ? {}
            : { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }),
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => finish(res.statusCode !== undefined ? 'answered' : 'closed'));
        res.once('error', () => finish('closed'));
        res.once('aborted', () => finish('closed'));
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      finish('hung');
    }, HUNG_MS);
    req.once('error', (e: NodeJS.ErrnoException) => {
      if (!done) note(e.code ?? e.message);
      finish('closed');
    });
    req.end(body);
  });
}

beforeAll(async () => {
  if (!redisServer.available) return;
  redis = await startRedisServer();
  const db = join(dir, 'd.db');
  const lines = Array.from({ length: WAYBILLS }, (_, i) =>
    JSON.stringify({
      waybill: `YT40000000${String(i).padStart(5, '0')}`,
      event_id: `d${i}`,
      time: new Date(Date.now() - 60_000).toISOString(),
      status: 1,
      description: '已揽收',
    }),
  ).join('\n');
  const imported = spawnSync(process.execPath, [BIN, 'import', '-', '--db', db, '--quiet', '--create'], {
    input: lines + '\n',
    encoding: 'utf8',
  });
  expect(imported.status, imported.stderr).toBe(0);
  const key = spawnSync(process.execPath, [BIN, 'keys', 'create', '--name', 'deaths', '--db', db], {
    encoding: 'utf8',
  });
  expect(key.status, key.stderr).toBe(0);
  apiKey = key.stdout.trim();
  port = await freePort();
  server = await spawnServe(
    [
      '--db',
      db,
      '--redis',
      redis.url,
      '--workers',
      '2',
      '--worker-restarts',
      '100',
      '--token',
      TOKEN,
      '--waybill-pattern',
      'YT\\d{13}',
      '--port',
      String(port),
    ],
    { ...process.env, WXTRACK_GUARD_SECRET: randomBytes(16).toString('hex'), WXTRACK_CONFIG: '' },
    90_000,
  );
  await server.logged('wxtrack listening with every worker');
}, 180_000);

afterAll(async () => {
  const primary = server?.child.pid;
  const workers = primary === undefined ? [] : childrenOf(primary);
  if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  for (const pid of workers) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

redisServer.describe('serve --workers 2 while workers are killed', () => {
  it('leaves no connection hung: each is answered by a live worker or closed', async () => {
    const primary = server.child.pid!;
    const listeningLines = () =>
      server.lines.filter((l) => l.msg === 'wxtrack listening with every worker').length;
    const outcomes: Record<Outcome, number> = { answered: 0, closed: 0, hung: 0 };
    const pushed = { answered: 0 };
    let running = true;
    let nonce = 0;
    const queryLoop = async () => {
      while (running) {
        const i = nonce++ % WAYBILLS;
        const url = new URL(
          signedQueryUrl({
            url: `http://127.0.0.1:${port}/wechat/track`,
            token: TOKEN,
            orderid: `YT40000000${String(i).padStart(5, '0')}`,
            openid: 'oDeaths',
            timestamp: String(Math.floor(Date.now() / 1000)),
            nonce: `q${nonce}`,
          }),
        );
        outcomes[await once('GET', url.pathname + url.search)]++;
      }
    };
    const pushLoop = async () => {
      for (let n = 0; running; n++) {
        const events = Array.from({ length: 50 }, (_, j) => ({
          waybill: `YT40000000${String(j % WAYBILLS).padStart(5, '0')}`,
          event_id: `p${n}-${j}`,
          time: new Date().toISOString(),
          status: 2,
          description: '运输中',
        }));
        const o = await once('POST', '/v1/events', JSON.stringify(events));
        outcomes[o]++;
        if (o === 'answered') pushed.answered++;
      }
    };
    const loops = [queryLoop(), queryLoop(), queryLoop(), pushLoop()];
    let kills = 0;
    try {
      for (; kills < KILLS; kills++) {
        // Kill one worker while the load runs, then wait until its replacement listens (the
        // primary logs "listening with every worker" again), so one worker always serves.
        const full = listeningLines();
        await new Promise((r) => setTimeout(r, 300));
        const workers = childrenOf(primary);
        process.kill(workers[kills % workers.length]!, 'SIGKILL');
        expect(await within(90_000, () => listeningLines() > full)).toBe(true);
      }
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      running = false;
      await Promise.all(loops);
    }
    // A socket the primary or a dead worker kept would sit in CLOSE-WAIT once its client gave up.
    const stranded = closeWait(port);
    console.log(
      `worker deaths: ${kills} kills; ${outcomes.answered} answered, ${outcomes.closed} closed, ` +
        `${outcomes.hung} hung; ${stranded} in CLOSE-WAIT; closed by ${JSON.stringify([...closedBy])}`,
    );
    expect(outcomes.hung).toBe(0);
    expect(stranded).toBe(0);
    // One worker always listened: no connection was refused; the few closed were the ones the
    // killed worker was answering.
    expect(closedBy.get('ECONNREFUSED') ?? 0).toBe(0);
    expect(outcomes.closed).toBeLessThanOrEqual(KILLS * 4);
    expect(outcomes.answered).toBeGreaterThan(20);
    expect(pushed.answered).toBeGreaterThan(0);
    expect(server.child.exitCode).toBeNull(); // the node kept serving
  }, 300_000);
});
