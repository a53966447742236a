import { afterEach, describe, expect, it } from 'vitest';
import { parseJsonpBody } from '../protocol/jsonp.js';
import { computeSignature } from '../protocol/signature.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import { brokenStore, wrapStore } from '../testing/wrap-store.js';
import {
  fixtureCarrier,
  gatewayFixture,
  NOW,
  scan,
  TOKEN,
  type GatewayFixture,
} from '../testing/gateway-fixture.js';

const WAYBILL = 'YT1234567890123';
let gw: GatewayFixture;
afterEach(() => gw?.close());

const get = (url: string) => gw.app.inject({ method: 'GET', url });
const body = (payload: string) => parseJsonpBody(payload) as Record<string, unknown>;

async function expectError(url: string, code: number) {
  const res = await get(url);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
  expect(body(res.payload)).toEqual({ err_code: code, err_msg: expect.any(String) });
  return res;
}

describe('GET /wechat/track: success', () => {
  it('answers a signed query with the stored OrderInfo, as exactly WxOrderCb(json)', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    const res = await get(gw.signed(WAYBILL));
    expect(res.statusCode).toBe(200);
    expect(res.payload.startsWith('WxOrderCb({')).toBe(true);
    expect(res.payload.endsWith('})')).toBe(true);
    expect(body(res.payload)).toEqual({
      err_code: 0,
      err_msg: 'ok',
      order_status: 2,
      estimated_delivery_time: '2026-07-09',
      traces: [
        {
          accept_time: '2026-07-08 11:00:00',
          accept_address: '运输中\n快件离开【河北永清县】已发往【贵阳】',
          remark: '河北永清县',
        },
      ],
      cells: [{ key: 'wxpay', value: '已支付', status: 'state=paid' }],
    });
  });

  it('sets the security headers on success and on refusals', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    for (const url of [gw.signed(WAYBILL), gw.signed('YT0000000000000')]) {
      const res = await get(url);
      expect(res.headers).toMatchObject({
        'content-type': 'text/javascript; charset=utf-8',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
    }
  });

  it("accepts the spec's orderid== typo", async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    const res = await get(gw.signed(WAYBILL).replace('orderid=', 'orderid=='));
    expect(body(res.payload).err_code).toBe(0);
  });

  it('serves the same URL fetched twice (a refresh)', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    const url = gw.signed(WAYBILL);
    expect(body((await get(url)).payload).err_code).toBe(0);
    expect(body((await get(url)).payload).err_code).toBe(0);
  });

  it('accepts a timestamp exactly at either edge of the window', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    for (const delta of [-300, 300]) {
      const ts = String(Math.floor(NOW / 1000) + delta);
      expect(body((await get(gw.signed(WAYBILL, { timestamp: ts }))).payload).err_code).toBe(0);
    }
  });
});

describe('GET /wechat/track: refusals', () => {
  it.each([
    ['missing', (u: string) => u.replace('&callback=WxOrderCb', '')],
    ['not allowed', (u: string) => u.replace('callback=WxOrderCb', 'callback=alert')],
    ['repeated', (u: string) => u + '&callback=WxOrderCb'],
    ['injected', (u: string) => u.replace('callback=WxOrderCb', 'callback=WxOrderCb%3Balert(1)%2F%2F')],
  ])('answers a %s callback with a fixed 400 that echoes nothing', async (_n, mangle) => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    const res = await get(mangle(gw.signed(WAYBILL)));
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.payload).toBe('bad request: callback missing or not allowed\n');
  });

  it.each([
    ['no orderid', (u: string) => u.replace(/orderid=[^&]*&/, '')],
    ['no openid', (u: string) => u.replace(/openid=[^&]*&/, '')],
    ['no signature', (u: string) => u.replace(/signature=[^&]*&/, '')],
    ['no timestamp', (u: string) => u.replace(/timestamp=[^&]*&/, '')],
    ['no nonce', (u: string) => u.replace(/nonce=[^&]*&/, '')],
    ['a repeated orderid', (u: string) => u + '&orderid=YT1234567890124'],
    ['a repeated signature', (u: string) => u + '&signature=' + 'a'.repeat(40)],
    [
      'an uppercase signature',
      (u: string) => u.replace(/signature=([0-9a-f]+)/, (_m, s: string) => 'signature=' + s.toUpperCase()),
    ],
    ['a 65-character orderid', (u: string) => u.replace(WAYBILL, 'Y'.repeat(65))],
    ['a nonce with punctuation', (u: string) => u.replace(/nonce=(\d+)/, 'nonce=$1-x')],
    ['a non-numeric timestamp', (u: string) => u.replace(/timestamp=(\d+)/, 'timestamp=$1x')],
  ])('gives 40004 for %s', async (_n, mangle) => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    await expectError(mangle(gw.signed(WAYBILL)), 40004);
  });

  it('gives 40002 just outside the window, either way, before hashing', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    for (const delta of [-301, 301]) {
      const ts = String(Math.floor(NOW / 1000) + delta);
      await expectError(gw.signed(WAYBILL, { timestamp: ts }), 40002);
    }
  });

  it('refuses the malleable split of a valid signature through the time window', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    const ts = String(Math.floor(NOW / 1000));
    const nonce = '7abc';
    const sig = computeSignature(TOKEN, ts, nonce);
    const base = `/wechat/track?orderid=${WAYBILL}&openid=oU&callback=WxOrderCb&signature=${sig}`;
    expect(body((await get(`${base}&timestamp=${ts}&nonce=${nonce}`)).payload).err_code).toBe(0);
    // Same concatenation, same hash: moving the nonce's leading digit into the timestamp.
    expect(computeSignature(TOKEN, ts + '7', 'abc')).toBe(sig);
    await expectError(`${base}&timestamp=${ts}7&nonce=abc`, 40002);
  });

  it('gives 40001 for a signature made with another token', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    await expectError(gw.signed(WAYBILL, { token: 'not-the-token' }), 40001);
  });

  it('gives 40001 when the signed timestamp is swapped for another in the window', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    const url = gw
      .signed(WAYBILL)
      .replace(/timestamp=(\d+)/, (_m, t: string) => `timestamp=${Number(t) - 1}`);
    await expectError(url, 40001);
  });

  it('gives 40003 when a signature comes back with another orderid or openid', async () => {
    gw = await gatewayFixture({
      events: [scan({ eventId: 'e1' }), scan({ eventId: 'e2', waybill: 'YT1234567890124' })],
    });
    const url = gw.signed(WAYBILL, { openid: 'oAlice' });
    expect(body((await get(url)).payload).err_code).toBe(0);
    await expectError(url.replace(WAYBILL, 'YT1234567890124'), 40003);
    await expectError(url.replace('oAlice', 'oMallory'), 40003);
  });

  it('gives 40402 for an orderid outside the waybill pattern, without reading the store', async () => {
    let reads = 0;
    const real = await gatewayFixture();
    const counting = wrapStore(real.store, {
      readWaybill: (c, w) => {
        reads++;
        return real.store.readWaybill(c, w);
      },
    });
    await real.app.close();
    gw = await gatewayFixture({ store: counting });
    await expectError(gw.signed('SF1234567890'), 40402);
    expect(reads).toBe(0);
    await expectError(gw.signed('YT0000000000000'), 40401);
    expect(reads).toBe(1);
  });

  it('gives 40401 for a well-formed, signed, unknown waybill', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    await expectError(gw.signed('YT0000000000000'), 40401);
  });

  it('gives 40005 for an unknown company_id', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    await expectError(gw.signed(WAYBILL, { companyId: 'ZTO' }), 40005);
  });

  it('fails closed with 50001 when the store is down', async () => {
    const broken = brokenStore('disk gone');
    gw = await gatewayFixture({ store: broken });
    const res = await expectError(gw.signed(WAYBILL), 50001);
    expect(res.payload).not.toContain('disk gone');
    expect(gw.logs.some((l) => l.level === 50 && l.code === 50001)).toBe(true);
  });

  it('fails closed with 50001 when the replay guard is down', async () => {
    const guard: ReplayGuard = {
      check: () => Promise.reject(new Error('redis gone')),
      close: () => Promise.resolve(),
    };
    gw = await gatewayFixture({ guard, events: [scan({ eventId: 'e1' })] });
    await expectError(gw.signed(WAYBILL), 50001);
  });

  it('never echoes request text into any body', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    const marker = 'ZZmarkerZZ';
    const urls = [
      gw.signed(WAYBILL, { openid: marker }).replace(/nonce=\d+/, 'nonce=' + marker),
      gw.signed(marker + '1'),
      gw.signed(WAYBILL) + '&' + marker + '=1&orderid=' + marker,
      gw.signed(WAYBILL, { companyId: marker }),
      gw.signed(WAYBILL).replace('callback=WxOrderCb', 'callback=' + marker),
    ];
    for (const url of urls) expect((await get(url)).payload).not.toContain(marker);
  });
});

describe('multi-carrier isolation', () => {
  it("never serves carrier B's data to a signature made with carrier A's token", async () => {
    const a = fixtureCarrier({ id: 'A', tokens: ['token-a'], waybillPattern: 'YT\\d{13}' });
    const b = fixtureCarrier({ id: 'B', tokens: ['token-b'], waybillPattern: 'YT\\d{13}' });
    gw = await gatewayFixture({ carriers: [a, b] });
    await gw.store.append('B', [scan({ eventId: 'b1' })]);
    await expectError(gw.signed(WAYBILL, { token: 'token-a', companyId: 'B' }), 40001);
    expect(body((await get(gw.signed(WAYBILL, { token: 'token-b', companyId: 'B' }))).payload).err_code).toBe(
      0,
    );
    // Both patterns claim the number: without company_id the query is ambiguous.
    await expectError(gw.signed(WAYBILL, { token: 'token-b' }), 40005);
    await expectError(gw.signed(WAYBILL, { token: 'token-a', companyId: 'A' }), 40401);
  });
});

describe('logging', () => {
  it('never logs the token, signature or nonce, and hashes the openid', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })], accessLog: true });
    const url = gw.signed(WAYBILL, { openid: 'oSecretOpenid', nonce: '998877665544' });
    const sig = /signature=([0-9a-f]+)/.exec(url)![1]!;
    await get(url);
    await get(gw.signed(WAYBILL, { token: 'wrong-token', openid: 'oSecretOpenid', nonce: '998877665545' }));
    const text = gw.logText();
    expect(gw.logs.filter((l) => l.msg === 'track query' || l.msg === 'track query refused')).toHaveLength(2);
    for (const secret of [TOKEN, sig, '998877665544', '998877665545', 'oSecretOpenid', 'wrong-token']) {
      expect(text).not.toContain(secret);
    }
    expect(gw.logs.find((l) => l.msg === 'track query')).toMatchObject({
      code: 0,
      carrier: 'yto',
      user: expect.any(String),
    });
  });

  it('logs refusals but not successes when the access log is off', async () => {
    gw = await gatewayFixture({ events: [scan({ eventId: 'e1' })] });
    await get(gw.signed(WAYBILL));
    await get(gw.signed('YT0000000000000'));
    const lines = gw.logs.filter((l) => typeof l.code === 'number');
    expect(lines.map((l) => l.code)).toEqual([40401]);
  });
});

describe('health', () => {
  it('reports live, and ready while the store answers', async () => {
    gw = await gatewayFixture();
    expect((await get('/healthz')).json()).toEqual({ status: 'ok' });
    expect((await get('/readyz')).statusCode).toBe(200);
    await gw.store.close();
    const res = await get('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', reason: 'store' });
  });
});
