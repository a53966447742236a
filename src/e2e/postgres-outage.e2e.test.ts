/**
 * A PostgreSQL outage under a running gateway, over real sockets: the connection to the database
 * runs through a proxy the test cuts (a server gone) or freezes (a server that hangs). Once the store cannot be reached (and the reply view, which
 * trusts itself for at most a second without the store's change log, stops serving), queries
 * answer 50001 and `/readyz` is 503 (fail closed); once the database is back the same gateway
 * serves again, without a restart.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../cli/gateway-process.js';
import { loadGatewayConfig } from '../config/gateway-config.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { needs, TEST_POSTGRES_URL, testPostgresAddress, testPostgresUrl } from '../testing/services.js';
import { startTcpProxy, type TcpProxy } from '../testing/tcp-proxy.js';

const postgres = await needs('postgres');
const ADMIN_URL = TEST_POSTGRES_URL;
/** The reply view's file goes here, not under the clone's ./data. */
let dir = '';
const DB_NAME = `wxtrack_outage_${randomBytes(4).toString('hex')}`;
const TOKEN = 'outage-token';
let proxy: TcpProxy;
let gateway: RunningGateway;

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

let nonce = 1;
async function errCode(orderid: string): Promise<number> {
  const url = signedQueryUrl({
    url: `${gateway.origin}/wechat/track`,
    token: TOKEN,
    orderid,
    openid: 'oOutage',
    timestamp: String(Math.floor(Date.now() / 1000)),
    nonce: String(nonce++),
  });
  const body = await (await fetch(url)).text();
  return (JSON.parse(body.replace(/^WxOrderCb\(/, '').replace(/\)$/, '')) as { err_code: number }).err_code;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wxtrack-outage-'));
  await admin(`CREATE DATABASE ${DB_NAME}`);
  proxy = await startTcpProxy(testPostgresAddress());
  const loaded = loadGatewayConfig(
    {
      token: TOKEN,
      db: testPostgresUrl({ database: DB_NAME, port: proxy.port }),
      view: join(dir, 'view.mdb'),
      port: '0',
      'waybill-pattern': 'YT\\d{13}',
      'log-level': 'silent',
    },
    {},
  );
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  gateway = await startGateway(loaded.config);
  const at = Date.now() - 60_000;
  await gateway.store.append('default', [
    ...['YT3000000000001', 'YT3000000000002', 'YT3000000000003'].map((waybill, i) => ({
      waybill,
      eventId: `o${i}`,
      time: at,
      status: 1 as const,
      label: '已揽件',
      description: '已揽收',
      location: undefined,
      eta: undefined,
      cells: undefined,
    })),
  ]);
}, 30_000);

afterAll(async () => {
  await gateway?.close();
  await proxy?.close();
  await admin(`DROP DATABASE IF EXISTS ${DB_NAME} WITH (FORCE)`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

postgres.describe('PostgreSQL outage under a running gateway', () => {
  it('fails closed while the database is unreachable, and recovers without a restart', async () => {
    expect(await errCode('YT3000000000001')).toBe(0);
    await proxy.cut();
    // The reply view is trusted for at most a second after its last catch-up from the store's
    // change feed (view/viewed-replies.ts); past that, queries render on read and fail closed.
    let refused = -1;
    const until = Date.now() + 5_000;
    while (Date.now() < until && (refused = await errCode('YT3000000000002')) !== 50001) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(refused).toBe(50001);
    expect((await fetch(`${gateway.origin}/readyz`)).status).toBe(503);
    await proxy.restore();
    let code = -1;
    const end = Date.now() + 15_000;
    while (Date.now() < end && (code = await errCode('YT3000000000003')) !== 0) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(code).toBe(0);
    expect((await fetch(`${gateway.origin}/readyz`)).status).toBe(200);
  }, 40_000);

  it('answers every query within the store budget while the database hangs, and /readyz 503 within its bound', async () => {
    expect(await errCode('YT3000000000001')).toBe(0);
    proxy.freeze();
    try {
      // Each query either comes from the reply view (trusted for a second) or waits for the store
      // at most connect + query = 2.5 s (postgres-pool.ts): never the whole freeze.
      const slowest: number[] = [];
      let refused = 0;
      const until = Date.now() + 8_000;
      for (let i = 0; i < 12 && Date.now() < until; i++) {
        const t0 = performance.now();
        const code = await errCode(`YT300000000000${(i % 3) + 1}`);
        slowest.push(performance.now() - t0);
        expect([0, 50001]).toContain(code);
        if (code === 50001) refused++;
      }
      expect(refused).toBeGreaterThan(0);
      expect(Math.max(...slowest)).toBeLessThan(3_000);
      const t0 = performance.now();
      const ready = await fetch(`${gateway.origin}/readyz`);
      const readyMs = performance.now() - t0;
      expect(ready.status).toBe(503);
      expect(await ready.json()).toEqual({ status: 'unavailable', reason: 'store' });
      expect(readyMs).toBeLessThan(2_500);
    } finally {
      proxy.thaw();
    }
    let code = -1;
    const end = Date.now() + 15_000;
    while (Date.now() < end && (code = await errCode('YT3000000000003')) !== 0) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(code).toBe(0);
    expect((await fetch(`${gateway.origin}/readyz`)).status).toBe(200);
  }, 60_000);
});
