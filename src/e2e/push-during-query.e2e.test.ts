/**
 * End to end, over real sockets: a query sent while a large push is being stored is answered
 * before that push completes (issue 8: ingestion never stalls a query). An ordering, not a
 * timing: the test holds the database's write lock through a connection of its own, so the push
 * cannot complete until the test lets go, and it lets go only once the queries have been
 * answered. Were the push stored on the serving thread, that thread would sit in SQLite's busy
 * wait and answer nothing until the push failed. Runs against dist/ (`npm test` builds first).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { BIN, spawnServe } from '../testing/serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-push-query-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

const PUSH_EVENTS = 10_000;
const event = (i: number, k: number) => ({
  waybill: `YT${String(i).padStart(13, '0')}`,
  event_id: `e${i}-${k}`,
  time: new Date(Date.UTC(2026, 6, 1) + i * 1000 + k * 3_600_000).toISOString(),
  status: k === 0 ? 1 : 2,
  description: `第${k}站`,
});
const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });

describe('a query during a large push', () => {
  it(
    'is answered before the push completes, and the push is then stored whole',
    { timeout: 60_000 },
    async () => {
      const db = join(dir, 'push.db');
      const seed = join(dir, 'seed.ndjson');
      writeFileSync(seed, JSON.stringify(event(0, 0)) + '\n');
      expect(cli('import', seed, '--db', db, '--quiet', '--create').status).toBe(0);
      const key = cli('keys', 'create', '--name', 'pusher', '--db', db).stdout.trim();
      const token = 'pushquerytoken';
      const serve = await spawnServe(['--db', db, '--token', token, '--port', '0', '--body-limit', '16MiB']);
      children.push(serve.child);
      let nonce = 0;
      const query = async () => {
        const res = await fetch(
          signedQueryUrl({
            url: serve.origin + '/wechat/track',
            token,
            orderid: event(0, 0).waybill,
            openid: 'oPushQuery',
            timestamp: String(Math.floor(Date.now() / 1000)),
            nonce: String(++nonce),
          }),
        );
        return { status: res.status, body: await res.text() };
      };
      expect((await query()).body).toContain('"order_status":1');

      // The gate: a write lock the push's transactions must wait for.
      const gate = new Database(db);
      gate.exec('BEGIN IMMEDIATE');
      const order: string[] = [];
      try {
        const body = Buffer.from(JSON.stringify(Array.from({ length: PUSH_EVENTS }, (_, i) => event(i, 1))));
        let sent!: () => void;
        const onWire = new Promise<void>((resolve) => (sent = resolve));
        const pushed = new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = request(
            new URL('/v1/events', serve.origin),
            {
              method: 'POST',
              headers: {
                'content-type': 'application/json',
                'content-length': body.length,
                authorization: `Bearer ${key}`,
              },
            },
            (res) => {
              let text = '';
              res.setEncoding('utf8');
              res.on('data', (d: string) => (text += d));
              res.on('end', () => {
                order.push('push');
                resolve({ status: res.statusCode!, text });
              });
            },
          );
          req.on('error', reject);
          // Queries start once the whole body is on the wire.
          req.end(body, () => sent());
        });
        await onWire;
        for (let i = 0; i < 3; i++) {
          const r = await query();
          expect(r.status).toBe(200);
          order.push('query');
        }
        expect(order).toEqual(['query', 'query', 'query']);
        gate.exec('ROLLBACK');
        const done = await pushed;
        expect(done.status).toBe(200);
        expect(JSON.parse(done.text)).toMatchObject({ accepted: PUSH_EVENTS, rejected: 0 });
        expect(order).toEqual(['query', 'query', 'query', 'push']);
      } finally {
        if (gate.inTransaction) gate.exec('ROLLBACK');
        gate.close();
      }
      // The cached reply of the seeded waybill was forgotten: its new scan shows at once.
      expect((await query()).body).toContain('"order_status":2');
      serve.child.kill('SIGTERM');
    },
  );
});
