import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { compileWaybillPattern, type Carrier } from '../carrier/carrier.js';
import { ManualClock } from '../clock/clock.js';
import { MemoryReplayGuard } from '../guard/memory/memory-guard.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import { Errors } from '../protocol/errors.js';
import { parseJsonpBody } from '../protocol/jsonp.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import type { Reply, ReplySource } from '../reply/reply-source.js';
import { deflateReply } from '../view/deflated-reply.js';
import { createQueryAnswerer, type Answer } from './answer-query.js';
import { gatewayFixture, NOW, scan, type GatewayFixture } from '../testing/gateway-fixture.js';

const WAYBILL = 'YT1234567890123';
let gw: GatewayFixture;
afterEach(() => gw?.close());

const code = async (url: string) => {
  const res = await gw.app.inject({ method: 'GET', url });
  return (parseJsonpBody(res.payload) as { err_code?: number }).err_code;
};

describe('a replay guard at capacity', () => {
  it('makes the gateway refuse new signatures with 50001, logged, while bound ones still serve', async () => {
    const guard = new MemoryReplayGuard({ clock: new ManualClock(NOW), maxEntries: 1 });
    gw = await gatewayFixture({ guard, events: [scan({ eventId: 'e1' })] });
    const first = gw.signed(WAYBILL, { nonce: '1' });
    expect(await code(first)).toBe(0); // served
    expect(await code(gw.signed(WAYBILL, { nonce: '2' }))).toBe(50001);
    expect(await code(first)).toBe(0); // a refresh of the bound signature
    expect(await code(first.replace('openid=', 'openid=x'))).toBe(40003); // still guarded
    expect(guard.stats()).toMatchObject({ entries: 1, refusals: 1 });
    expect(gw.logs.some((l) => l.code === 50001 && JSON.stringify(l.err).includes('capacity'))).toBe(true);
  });
});

describe('the synchronous and the asynchronous path', () => {
  const TOKEN = 'paths-token';
  const TS = 1_780_000_000;
  const KNOWN = 'YT1000000001';
  const json = Buffer.from(
    JSON.stringify({ err_code: 0, err_msg: 'ok', traces: [{ remark: '快件已签收' }] }),
  );
  const carrier: Carrier = {
    id: 'yto',
    name: 'yto',
    tokens: [TOKEN],
    timezone: 'Asia/Shanghai',
    waybillPattern: 'YT\\d{10}',
    waybillMatcher: compileWaybillPattern('YT\\d{10}'),
  };

  /** One answerer whose guard and source answer at once (`sync`) or through promises. */
  function answerer(sync: boolean, stored: Reply) {
    const clock = new ManualClock(TS * 1000);
    const memory = new MemoryReplayGuard({ clock, maxEntries: 100 });
    // The async guard offers no checkSync: the answerer must wait for check().
    const guard: ReplayGuard = sync
      ? memory
      : { check: (...a) => memory.check(...a), close: () => memory.close() };
    const find = (waybill: string) => (waybill === KNOWN ? stored : undefined);
    const replies: ReplySource = {
      getReply: (_c, waybill) => (sync ? find(waybill) : Promise.resolve(find(waybill))),
    };
    return createQueryAnswerer({
      carriers: [carrier],
      callbacks: ['WxOrderCb', 'cb2'],
      windowSeconds: 300,
      replies,
      guard,
      clock,
    });
  }
  const url = (orderid: string, openid: string, nonce: string, callback = 'WxOrderCb') =>
    signedQueryUrl({ url: '', token: TOKEN, orderid, openid, timestamp: String(TS), nonce })
      .slice(1)
      .replace('callback=WxOrderCb', 'callback=' + callback);

  it.each([
    ['deflated (the view)', { json, deflated: deflateReply(json) }],
    ['JSON only (a store)', { json }],
  ])('give byte-identical answers, plain and gzip, served or refused: %s', async (_n, stored: Reply) => {
    const sync = answerer(true, stored);
    const async = answerer(false, stored);
    const queries: [string, boolean][] = [];
    for (const gzip of [false, true]) {
      for (const cb of ['WxOrderCb', 'cb2']) {
        const nonce = `${gzip ? 'g' : 'p'}${cb}`;
        queries.push(
          [url(KNOWN, 'oA', nonce, cb), gzip], // served
          [url(KNOWN, 'oA', nonce, cb), gzip], // a refresh
          [url(KNOWN, 'oB', nonce, cb), gzip], // a replay: 40003
          [url('YT1000000009', 'oA', nonce + 'u', cb), gzip], // unknown: 40401
          [url(KNOWN, 'oA', nonce, cb).replace(/signature=./, 'signature=0'), gzip], // 40001
        );
      }
    }
    let served = 0;
    for (const [q, gzip] of queries) {
      const now = sync(q, gzip);
      const later = async(q, gzip);
      expect(now instanceof Promise).toBe(false);
      // Refused before the guard (40001): no waiting on either path.
      expect(later instanceof Promise).toBe(!q.includes('signature=0'));
      const a = now as Answer;
      const b = await later;
      expect({ ...a, body: undefined }).toEqual({ ...b, body: undefined });
      expect(Buffer.from(a.body).equals(Buffer.from(b.body))).toBe(true);
      if (a.outcome !== Errors.OK) continue;
      served++;
      const cb = /callback=(\w+)/.exec(q)![1]!;
      const body = a.encoding === 'gzip' ? gunzipSync(a.body) : Buffer.from(a.body);
      expect(body.toString()).toBe(`${cb}(${json.toString()})`);
      expect(a.encoding === 'gzip').toBe(gzip && stored.deflated !== undefined);
    }
    expect(served).toBe(8);
  });

  it('answers 50001 when the source throws at once, as when it rejects', async () => {
    const clock = new ManualClock(TS * 1000);
    const boom = new Error('view file unreadable');
    const make = (replies: ReplySource) =>
      createQueryAnswerer({
        carriers: [carrier],
        callbacks: ['WxOrderCb'],
        windowSeconds: 300,
        replies,
        guard: new MemoryReplayGuard({ clock, maxEntries: 100 }),
        clock,
      });
    const thrown = await make({
      getReply: () => {
        throw boom;
      },
    })(url(KNOWN, 'oA', '1'));
    const rejected = await make({ getReply: () => Promise.reject(boom) })(url(KNOWN, 'oA', '1'));
    expect(thrown).toEqual(rejected);
    expect(thrown).toMatchObject({ outcome: Errors.INTERNAL, error: boom });
  });
});
