/**
 * @module
 * Replies stay coherent across processes (issue 7 part 4): a real `serve` process answers from its
 * reply view, and a write committed by another process on the same database (as `wxtrack import`
 * does) shows in its replies within a second (that only the touched waybills are dropped is
 * proven in view/viewed-replies.test.ts). Needs dist/ (`npm run build`), like the other e2e tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../clock/clock.js';
import { parseJsonpBody } from '../protocol/jsonp.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { spawnServe, type ServeProcess } from '../testing/serve-process.js';
import { scan } from '../testing/gateway-fixture.js';

const TOKEN = 'coherence-token';
const W1 = 'YT1000000000001';
const W2 = 'YT1000000000002';
let serve: ServeProcess | undefined;
let dir: string | undefined;
afterEach(async () => {
  if (serve && serve.child.exitCode === null) {
    const exited = new Promise((r) => serve!.child.once('exit', r));
    serve.child.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let nonce = 1;
async function query(origin: string, waybill: string): Promise<Record<string, unknown>> {
  const url = signedQueryUrl({
    url: origin + '/wechat/track',
    token: TOKEN,
    orderid: waybill,
    openid: 'oCoherence',
    timestamp: String(Math.floor(Date.now() / 1000)),
    nonce: String(nonce++),
  });
  const res = await fetch(url, { headers: { 'accept-encoding': 'gzip' } });
  return parseJsonpBody(await res.text()) as Record<string, unknown>;
}

const firstRemark = (info: Record<string, unknown>) =>
  (info.traces as { accept_address: string }[] | undefined)?.at(-1)?.accept_address ?? '';

describe('reply view coherence across processes', () => {
  it("shows another process's write within a second, and still serves the other waybill", async () => {
    dir = mkdtempSync(join(tmpdir(), 'wxtrack-coherence-'));
    const db = join(dir, 'shared.db');
    const writer = new SqliteStore({
      path: db,
      create: true,
      clock: systemClock,
    });
    const t = Date.now() - 3_600_000;
    await writer.append('default', [
      scan({ eventId: 'a1', waybill: W1, time: t, description: 'first of one' }),
      scan({ eventId: 'b1', waybill: W2, time: t, description: 'first of two' }),
    ]);
    serve = await spawnServe(['--db', db, '--token', TOKEN, '--port', '0', '--waybill-pattern', 'YT\\d{13}']);
    await serve.logged('reply view warm');
    expect(firstRemark(await query(serve.origin, W1))).toContain('first of one');
    expect(firstRemark(await query(serve.origin, W2))).toContain('first of two');

    // Another process writes W1 (this test process is that other process).
    const wrote = Date.now();
    await writer.append('default', [
      scan({ eventId: 'a2', waybill: W1, time: t + 60_000, description: 'second of one' }),
    ]);
    let seenAfter = Infinity;
    while (Date.now() - wrote < 1000) {
      if (firstRemark(await query(serve.origin, W1)).includes('second of one')) {
        seenAfter = Date.now() - wrote;
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(seenAfter).toBeLessThan(1000);
    expect(firstRemark(await query(serve.origin, W2))).toContain('first of two');
    await writer.close();
  }, 30_000);
});
