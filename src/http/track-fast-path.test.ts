import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { gatewayFixture, NOW, scan, type GatewayFixture } from '../testing/gateway-fixture.js';
import { ManualClock } from '../clock/clock.js';

const WAYBILL = 'YT1234567890123';
let gw: GatewayFixture | undefined;
afterEach(async () => {
  await gw?.close();
  gw = undefined;
});

interface Got {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A real request over a socket: the fast path only ever sees these, never app.inject. */
function fetchRaw(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** A listening gateway whose store sits behind a reply view, as `serve` runs it. */
async function listening(): Promise<{ gw: GatewayFixture; port: number }> {
  const clock = new ManualClock(NOW);
  const store = new SqliteStore({ path: ':memory:', clock });
  const fixture = await gatewayFixture({ store, view: true, events: [scan({ eventId: 'e1' })] });
  await fixture.app.listen({ host: '127.0.0.1', port: 0 });
  return { gw: fixture, port: (fixture.app.server.address() as AddressInfo).port };
}

describe('the track fast path (over a real socket)', () => {
  it('sends the stored reply gzip-encoded to a client that accepts gzip, the same JSONP once decoded', async () => {
    const l = await listening();
    gw = l.gw;
    const injected = await gw.app.inject({ method: 'GET', url: gw.signed(WAYBILL) });
    const res = await fetchRaw(l.port, gw.signed(WAYBILL), { 'accept-encoding': 'gzip, deflate' });
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'content-encoding': 'gzip',
      vary: 'Accept-Encoding',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-length': String(res.body.length),
    });
    expect(gunzipSync(res.body).toString()).toBe(injected.payload);
    expect(injected.payload.startsWith('WxOrderCb({"err_code":0,')).toBe(true);
  });

  it('sends the same bytes from a view miss (rendered, a promise) and a view hit (at once)', async () => {
    const l = await listening();
    gw = l.gw;
    for (const encoding of ['gzip, deflate', 'identity']) {
      const replies: Got[] = [];
      for (let i = 0; i < 2; i++) {
        replies.push(await fetchRaw(l.port, gw.signed(WAYBILL), { 'accept-encoding': encoding }));
      }
      const [miss, hit] = replies as [Got, Got];
      expect(miss.status).toBe(200);
      expect(hit.body.equals(miss.body)).toBe(true);
      const withoutDate = (h: Got['headers']) => Object.entries(h).filter(([k]) => k !== 'date');
      expect(withoutDate(hit.headers)).toEqual(withoutDate(miss.headers));
    }
    // The first query of the run missed (render, deflate, fill); every later one hit.
    expect(gw.viewed!.stats()).toMatchObject({ misses: 1, hits: 3 });
  });

  it('sends plain JSONP, byte for byte, to a client that does not accept gzip', async () => {
    const l = await listening();
    gw = l.gw;
    const injected = await gw.app.inject({ method: 'GET', url: gw.signed(WAYBILL) });
    for (const headers of [{}, { 'accept-encoding': 'br, gzip;q=0' }] as Record<string, string>[]) {
      const res = await fetchRaw(l.port, gw.signed(WAYBILL), headers);
      expect(res.status).toBe(200);
      expect(res.headers['content-encoding']).toBeUndefined();
      expect(res.headers.vary).toBe('Accept-Encoding');
      expect(res.body.toString()).toBe(injected.payload);
    }
  });

  it('answers refusals exactly as the Fastify route does, never gzip-encoded', async () => {
    const l = await listening();
    gw = l.gw;
    const bad = gw.signed(WAYBILL).replace(/signature=[0-9a-f]+/, 'signature=' + '0'.repeat(40));
    const injected = await gw.app.inject({ method: 'GET', url: bad, headers: { 'accept-encoding': 'gzip' } });
    const res = await fetchRaw(l.port, bad, { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(injected.statusCode);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.body.toString()).toBe(injected.payload);
    const noCallback = await fetchRaw(l.port, '/wechat/track?orderid=' + WAYBILL);
    expect(noCallback.status).toBe(400);
    expect(noCallback.headers['content-type']).toBe('text/plain; charset=utf-8');
    // Logged like the Fastify route's: the injected refusal, and the two over the socket.
    expect(gw.logs.filter((l) => l.msg === 'track query refused')).toHaveLength(3);
  });

  it('leaves every other request to Fastify: other paths, HEAD, a path spelled otherwise', async () => {
    const l = await listening();
    gw = l.gw;
    const health = await fetchRaw(l.port, '/healthz');
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body.toString())).toEqual({ status: 'ok' });
    const head = await fetchRaw(l.port, gw.signed(WAYBILL), {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await fetchRaw(l.port, '/wechat/trackX?callback=WxOrderCb')).status).toBe(404);
  });
});
