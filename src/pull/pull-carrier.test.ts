/**
 * Pull mode against real HTTP upstreams over real sockets: a Kuaidi100-shaped and a
 * Kdniao-shaped fake, each checking the signature it receives, and a generic one. Time for the
 * cache, the budget and the breaker is a manual clock; only the HTTP timeout is real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import type { OrderInfo } from '../protocol/order-info.js';
import type { Reply } from '../reply/reply-source.js';
import { createUpstreamHttp, type UpstreamHttp } from './http-client.js';
import { KDNIAO_STATES } from './map-kdniao.js';
import { KUAIDI100_STATES } from './map-kuaidi100.js';
import { PullCarrier, PullError } from './pull-carrier.js';
import { pullSettings, type PullSettings, type RequestSettings } from './pull-settings.js';
import {
  startFakeGeneric,
  startFakeKdniao,
  startFakeKuaidi100,
  type FakeUpstream,
} from './testing/fake-upstream.js';

const T0 = Date.parse('2026-07-05T00:00:00Z');
const MIN = 60_000;
const carrier = { id: 'yto', timezone: 'Asia/Shanghai' };

let http: UpstreamHttp;
const fakes: FakeUpstream[] = [];
beforeAll(() => {
  http = createUpstreamHttp(256);
});
afterAll(async () => {
  http.close();
  await Promise.all(fakes.map((f) => f.close()));
});

async function kuaidi100(key = 'K-KEY-1'): Promise<{ fake: FakeUpstream; request: RequestSettings }> {
  const fake = await startFakeKuaidi100('CUSTOMER1', 'K-KEY-1');
  fakes.push(fake);
  return {
    fake,
    request: { preset: 'kuaidi100', url: fake.url, company: 'yuantong', account: 'CUSTOMER1', key },
  };
}

async function kdniao(key = 'APPKEY-1'): Promise<{ fake: FakeUpstream; request: RequestSettings }> {
  const fake = await startFakeKdniao('1234567', 'APPKEY-1');
  fakes.push(fake);
  return { fake, request: { preset: 'kdniao', url: fake.url, company: 'YTO', account: '1234567', key } };
}

function pullCarrier(settings: PullSettings, clock = new ManualClock(T0)) {
  return { clock, pc: new PullCarrier({ carrier, settings, clock, http }) };
}

const info = (reply: Reply | undefined): OrderInfo => JSON.parse(reply!.json.toString('utf8')) as OrderInfo;

const kd100Found = (state: string, n = 2) => ({
  message: 'ok',
  state,
  status: '200',
  ischeck: state === '3' ? '1' : '0',
  com: 'yuantong',
  nu: 'YT1',
  data: Array.from({ length: n }, (_, i) => ({
    context: `快件第${n - i}站`,
    time: `2026-07-0${n - i} 10:00:00`,
    ftime: `2026-07-0${n - i} 10:00:00`,
  })),
});

async function failure(p: unknown): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof PullError) return e.kind;
    throw e;
  }
  return 'no failure';
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await work();
  return [v, performance.now() - t];
}

describe('Kuaidi100 preset', () => {
  it('signs as documented and renders the newest-first traces oldest first, in the carrier zone', async () => {
    const { fake, request } = await kuaidi100();
    fake.answer = () => ({ json: kd100Found('0', 3) });
    const { pc } = pullCarrier(pullSettings(request));
    const got = info(await pc.getReply('YT1'));
    expect(fake.badSignatures).toBe(0);
    expect(fake.calls).toBe(1);
    expect(got.order_status).toBe(2);
    expect(got.traces.map((t) => t.accept_time)).toEqual([
      '2026-07-01 10:00:00',
      '2026-07-02 10:00:00',
      '2026-07-03 10:00:00',
    ]);
    // No per-trace status upstream: the description alone, no guessed label.
    expect(got.traces[0]!.accept_address).toBe('快件第1站');
  });

  it('a wrong key is refused by the upstream and fails closed', async () => {
    const { fake, request } = await kuaidi100('WRONG-KEY');
    fake.answer = () => ({ json: kd100Found('0') });
    const { pc } = pullCarrier(pullSettings(request));
    expect(await failure(pc.getReply('YT1'))).toBe('refused');
    expect(fake.badSignatures).toBe(1);
  });

  it('maps every state to its order_status', async () => {
    const { fake, request } = await kuaidi100();
    fake.answer = (waybill) => ({ json: kd100Found(waybill.slice(2)) });
    const { pc } = pullCarrier(pullSettings(request));
    for (const [code, status] of Object.entries(KUAIDI100_STATES)) {
      expect(info(await pc.getReply('YT' + code)).order_status, `state ${code}`).toBe(status);
    }
    // An unknown state falls back to 2 and is counted.
    expect(info(await pc.getReply('YT99')).order_status).toBe(2);
    expect(pc.snapshot().unmapped).toBe(1);
    expect(fake.badSignatures).toBe(0);
  });

  it('labels traces with their own sub-state when every trace has one', async () => {
    const { fake, request } = await kuaidi100();
    fake.answer = () => ({
      json: {
        ...kd100Found('3'),
        data: [
          { context: '已签收', ftime: '2026-07-02 10:00:00', statusCode: '301', areaName: '上海' },
          { context: '已揽收', ftime: '2026-07-01 10:00:00', statusCode: '103' },
        ],
      },
    });
    const { pc } = pullCarrier(pullSettings(request));
    const got = info(await pc.getReply('YT1'));
    expect(got.traces.map((t) => t.accept_address)).toEqual(['已揽件\n已揽收', '已签收\n已签收']);
    expect(got.traces[1]!.remark).toBe('上海');
  });

  it('"no such waybill" (returnCode 500) answers as an unknown waybill, and is cached', async () => {
    const { fake, request } = await kuaidi100();
    fake.answer = () => ({
      json: { result: false, returnCode: '500', message: '查询无结果，请隔段时间再查' },
    });
    const { pc, clock } = pullCarrier(pullSettings(request));
    expect(await pc.getReply('YT404')).toBeUndefined();
    clock.advance(4 * MIN);
    expect(pc.getReply('YT404')).toBeUndefined();
    expect(fake.calls).toBe(1);
  });
});

describe('Kdniao preset', () => {
  const found = (state: string, extra: object = {}) => ({
    EBusinessID: '1234567',
    ShipperCode: 'YTO',
    LogisticCode: 'YT1',
    Success: true,
    State: state,
    Traces: [
      { AcceptTime: '2026-07-01 08:00:00', AcceptStation: '【杭州】已揽收' },
      { AcceptTime: '2026-07-02 09:30:00', AcceptStation: '【上海】派送中', Remark: '上海' },
    ],
    ...extra,
  });

  it('signs as documented and maps every state (StateEx first)', async () => {
    const { fake, request } = await kdniao();
    fake.answer = (waybill) => {
      const code = waybill.slice(2);
      return { json: code.length > 1 ? found(code[0]!, { StateEx: code }) : found(code) };
    };
    const { pc } = pullCarrier(pullSettings(request));
    for (const [code, status] of Object.entries(KDNIAO_STATES)) {
      expect(info(await pc.getReply('YT' + code)).order_status, `state ${code}`).toBe(status);
    }
    expect(fake.badSignatures).toBe(0);
    const got = info(await pc.getReply('YT2'));
    expect(got.traces.map((t) => [t.accept_time, t.accept_address, t.remark])).toEqual([
      ['2026-07-01 08:00:00', '【杭州】已揽收', ''],
      ['2026-07-02 09:30:00', '【上海】派送中', '上海'],
    ]);
  });

  it('State 0 without traces is an unknown waybill; Success false (a bad sign) fails closed', async () => {
    const { fake, request } = await kdniao();
    fake.answer = () => ({ json: { Success: true, State: '0', Reason: '暂无轨迹信息', Traces: [] } });
    const { pc } = pullCarrier(pullSettings(request));
    expect(await pc.getReply('YT0')).toBeUndefined();

    const bad = await kdniao('WRONG');
    bad.fake.answer = fake.answer;
    const other = pullCarrier(pullSettings(bad.request)).pc;
    expect(await failure(other.getReply('YT0'))).toBe('refused');
    expect(bad.fake.badSignatures).toBe(1);
  });

  it('sends the ETA of an unsigned parcel only', async () => {
    const { fake, request } = await kdniao();
    fake.answer = (w) => ({
      json: found(w === 'YT3' ? '3' : '2', { EstimatedDeliveryTime: '2026-07-04 18:00:00' }),
    });
    const { pc } = pullCarrier(pullSettings(request));
    expect(info(await pc.getReply('YT2')).estimated_delivery_time).toBe('2026-07-04');
    expect(info(await pc.getReply('YT3')).estimated_delivery_time).toBeUndefined();
  });
});

describe('generic preset', () => {
  const mapping = {
    traces: '$.data.events',
    time: 'at',
    text: 'msg',
    place: 'city',
    traceStatus: 'code',
    statusCodes: { PICKED: 1, MOVING: 2, OUT: 3, DONE: 4 } as const,
    eta: '$.data.eta',
    notFound: { path: '$.error', values: ['NOT_FOUND'] },
    order: 'oldest-first' as const,
  };
  const body = (codes: string[]) => ({
    data: {
      eta: '2026-07-09',
      events: codes.map((code, i) => ({
        at: `2026-07-0${i + 1}T10:00:00+08:00`,
        msg: `step ${i}`,
        city: '北京',
        code,
      })),
    },
  });

  it('HMAC-SHA256: signed as the server checks it; status from the newest trace code', async () => {
    const fake = await startFakeGeneric({ hmacSecret: 'hmac-secret-1' });
    fakes.push(fake);
    fake.answer = (w) =>
      w === 'NONE'
        ? { status: 404, json: {} }
        : w === 'GONE'
          ? { json: { error: 'NOT_FOUND' } }
          : { json: body(['PICKED', 'MOVING', 'OUT']) };
    const request: RequestSettings = {
      preset: 'generic',
      url: fake.url + '/{waybill}',
      company: 'x',
      method: 'GET',
      auth: {
        kind: 'hmac-sha256',
        secret: 'hmac-secret-1',
        header: 'X-Signature',
        timestampHeader: 'X-Timestamp',
      },
    };
    const { pc } = pullCarrier(pullSettings(request, { mapping }));
    const got = info(await pc.getReply('G1'));
    expect(fake.badSignatures).toBe(0);
    expect(got.order_status).toBe(3);
    expect(got.estimated_delivery_time).toBe('2026-07-09');
    expect(got.traces[2]).toEqual({
      accept_time: '2026-07-03 10:00:00',
      accept_address: '派送中\nstep 2',
      remark: '北京',
    });
    expect(await pc.getReply('NONE')).toBeUndefined();
    expect(await pc.getReply('GONE')).toBeUndefined();
  });

  it('bearer: a wrong token fails closed', async () => {
    const fake = await startFakeGeneric({ bearer: 'right-token' });
    fakes.push(fake);
    fake.answer = () => ({ json: body(['DONE']) });
    const mk = (token: string) =>
      pullCarrier(
        pullSettings(
          { preset: 'generic', url: fake.url + '/{waybill}', company: 'x', auth: { kind: 'bearer', token } },
          { mapping },
        ),
      ).pc;
    expect(info(await mk('right-token').getReply('G1')).order_status).toBe(4);
    expect(await failure(mk('wrong-token').getReply('G1'))).toBe('garbage');
  });
});

describe('cache and budgets', () => {
  it('single flight: 200 concurrent queries for one waybill make one call', async () => {
    const { fake, request } = await kuaidi100();
    fake.answer = () => ({ json: kd100Found('0'), delayMs: 50 });
    const { pc } = pullCarrier(pullSettings(request));
    const replies = await Promise.all(Array.from({ length: 200 }, () => pc.getReply('YT1')));
    expect(fake.calls).toBe(1);
    expect(new Set(replies.map((r) => r!.json.toString())).size).toBe(1);
    expect(pc.snapshot()).toMatchObject({ calls: 1, misses: 200, hits: 0 });
    // And once cached, 200 more are hits answered without a promise.
    const again = Array.from({ length: 200 }, () => pc.getReply('YT1'));
    expect(again.every((r) => !(r instanceof Promise))).toBe(true);
    expect(fake.calls).toBe(1);
  });

  it('stale-while-refresh: a stale reply is served at once while one refresh runs', async () => {
    const { fake, request } = await kuaidi100();
    let n = 2;
    fake.answer = () => ({ json: kd100Found('0', n), delayMs: 30 });
    const { pc, clock } = pullCarrier(pullSettings(request));
    const first = await pc.getReply('YT1');
    clock.advance(31 * MIN);
    n = 3;
    const stale = Array.from({ length: 50 }, () => pc.getReply('YT1'));
    expect(stale.every((r) => r === first)).toBe(true);
    await expect.poll(() => fake.calls).toBe(2);
    await expect.poll(() => info(pc.getReply('YT1') as Reply).traces.length).toBe(3);
    expect(fake.calls).toBe(2);
    expect(pc.snapshot()).toMatchObject({ staleServes: 50 });
    // Past freshness plus the stale limit, nothing stale is served: the query waits for a call.
    clock.advance(30 * MIN + 120 * MIN);
    const waited = pc.getReply('YT1');
    expect(waited).toBeInstanceOf(Promise);
    expect(info(await waited).traces).toHaveLength(3);
    expect(fake.calls).toBe(3);
  });

  it('a signed parcel stays fresh for 24 h', async () => {
    const { fake, request } = await kuaidi100();
    fake.answer = () => ({ json: kd100Found('3') });
    const { pc, clock } = pullCarrier(pullSettings(request));
    await pc.getReply('YT1');
    clock.advance(23 * 60 * MIN);
    expect(pc.getReply('YT1')).not.toBeInstanceOf(Promise);
    expect(fake.calls).toBe(1);
  });

  it('never more than 48 calls for one waybill in 24 h, however often it goes stale', async () => {
    const { fake, request } = await kuaidi100();
    fake.answer = () => ({ json: kd100Found('0') });
    // Fresh for 1 minute only, so every query after a minute wants a refresh.
    const { pc, clock } = pullCarrier(
      pullSettings(request, { cache: { freshMs: MIN, maxStaleMs: 24 * 60 * MIN } }),
    );
    await pc.getReply('YT1');
    for (let i = 0; i < 100; i++) {
      clock.advance(5 * MIN); // 100 × 5 min = 500 min: 100 refresh chances in 24 h
      await pc.getReply('YT1');
      await expect.poll(() => pc.snapshot().callsInFlight).toBe(0);
    }
    expect(fake.calls).toBe(48);
    expect(pc.snapshot().errors.budget).toBeGreaterThan(0);
    // Still served (stale, within its limit) while the budget is spent.
    expect(info(pc.getReply('YT1') as Reply).order_status).toBe(2);
    // The window slides: 24 h after the first call, calls are allowed again.
    clock.set(T0 + 24 * 60 * MIN + MIN);
    pc.getReply('YT1');
    await expect.poll(() => fake.calls).toBe(49);
  });

  it('a global cap on calls in flight: past it, misses fail at once', async () => {
    const { fake, request } = await kuaidi100();
    fake.answer = () => ({ json: kd100Found('0'), delayMs: 100 });
    const { pc } = pullCarrier(pullSettings(request, { budget: { inFlight: 4 } }));
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => pc.getReply('YT' + i)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(4);
    expect(fake.maxInFlight).toBe(4);
    expect(pc.snapshot().errors.saturated).toBe(6);
  });
});

describe('failures: each with its reply and its latency bound', () => {
  const TIMEOUT = 300;
  const setup = async () => {
    const { fake, request } = await kuaidi100();
    const { pc, clock } = pullCarrier(
      pullSettings(request, { budget: { timeoutMs: TIMEOUT, maxBodyBytes: 64 * 1024 } }),
    );
    return { fake, pc, clock };
  };

  const kinds: [string, (fake: FakeUpstream) => void, string][] = [
    ['timeout', (f) => (f.answer = () => ({ json: kd100Found('0'), delayMs: 2_000 })), 'timeout'],
    ['a stalled body', (f) => (f.answer = () => ({ stall: true })), 'timeout'],
    ['5xx', (f) => (f.answer = () => ({ status: 502, raw: '<html>bad gateway</html>' })), 'http-5xx'],
    ['a 4xx', (f) => (f.answer = () => ({ status: 403, raw: '<h1>forbidden</h1>' })), 'http-status'],
    ['garbage', (f) => (f.answer = () => ({ raw: 'WxOrderCb({"err_code":0})<script>' })), 'garbage'],
    ['wrong types', (f) => (f.answer = () => ({ json: { state: '0', data: 'not a list' } })), 'garbage'],
    ['an oversized body (1 MB)', (f) => (f.answer = () => ({ raw: 'x'.repeat(1 << 20) })), 'oversized'],
  ];

  for (const [name, arrange, kind] of kinds) {
    it(`${name}: 50001 without a cached reply, the stale reply with one; within the timeout`, async () => {
      const { fake, pc, clock } = await setup();
      arrange(fake);
      const [kindSeen, ms] = await timed(() => failure(pc.getReply('YT1')));
      expect(kindSeen).toBe(kind);
      expect(ms).toBeLessThan(TIMEOUT + 250);

      fake.answer = () => ({ json: kd100Found('0') });
      const good = await pc.getReply('YT1');
      clock.advance(31 * MIN);
      arrange(fake);
      const t = performance.now();
      expect(pc.getReply('YT1')).toBe(good); // served stale, synchronously
      expect(performance.now() - t).toBeLessThan(100);
      await expect.poll(() => pc.snapshot().errors[kind as 'timeout']).toBe(2);
      // After a failed refresh, the next stale query within the retry wait starts none.
      const calls = fake.calls;
      expect(pc.getReply('YT1')).toBe(good);
      expect(fake.calls).toBe(calls);
    });
  }

  it('a refused connection: 50001 at once', async () => {
    const { fake, request } = await kuaidi100();
    await fake.close();
    const { pc } = pullCarrier(
      pullSettings({ ...request, url: fake.url }, { budget: { timeoutMs: TIMEOUT } }),
    );
    const [kind, ms] = await timed(() => failure(pc.getReply('YT1')));
    expect(kind).toBe('network');
    expect(ms).toBeLessThan(TIMEOUT);
  });

  it('the circuit opens after 5 failures in a row, fails fast, and half-opens by itself', async () => {
    const { fake, pc, clock } = await setup();
    fake.answer = () => ({ status: 503, raw: '' });
    for (let i = 0; i < 5; i++) expect(await failure(pc.getReply('YT' + i))).toBe('http-5xx');
    expect(pc.snapshot().breaker).toBe('open');
    const [kind, ms] = await timed(() => failure(pc.getReply('YT9')));
    expect(kind).toBe('open-circuit');
    expect(ms).toBeLessThan(100); // far under the 300 ms timeout: no call was made
    expect(fake.calls).toBe(5);
    clock.advance(30_000);
    expect(pc.snapshot().breaker).toBe('half-open');
    fake.answer = () => ({ json: kd100Found('0'), delayMs: 50 });
    // One trial at a time: a second query during the trial fails fast.
    const trial = pc.getReply('YT10');
    expect(await failure(pc.getReply('YT11'))).toBe('open-circuit');
    expect(info(await trial).order_status).toBe(2);
    expect(pc.snapshot().breaker).toBe('closed');
    expect(fake.calls).toBe(6);
  });
});

describe('a hostile upstream is never echoed', () => {
  it('script text, U+2028, control characters, huge and wrong-typed fields come out as bounded, escaped data', async () => {
    const { fake, request } = await kuaidi100();
    fake.answer = () => ({
      json: {
        message: 'ok',
        state: '0',
        ischeck: '0',
        arrivalTime: '</script><script>alert(1)</script>',
        data: [
          {
            context: '</script><script>alert(1)</script>',
            ftime: '2026-07-01 10:00:00',
            areaName: 'a\u2028b\u2029c',
          },
          { context: 'WxOrderCb({"err_code":0})\u0000\u001b[31m', ftime: '2026-07-01 11:00:00' },
          { context: '长'.repeat(100_000), ftime: '2026-07-01 12:00:00' },
          { context: { nested: '<b>' }, ftime: '2026-07-01 13:00:00' },
          { context: ['<i>'], ftime: 1 },
          { context: 'no time', ftime: '<script>' },
          null,
          42,
          { context: 7, ftime: '2026-07-01 14:00:00', statusCode: { toString: 1 } },
        ],
        __proto__: { polluted: true },
      },
    });
    const { pc } = pullCarrier(pullSettings(request, { budget: { maxBodyBytes: 1 << 20 } }));
    const reply = (await pc.getReply('YT1'))!;
    const text = reply.json.toString('utf8');
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[<>\u2028\u2029\u0000-\u001f]/);
    expect(text).not.toContain('alert(1)</');
    const got = JSON.parse(text) as OrderInfo;
    expect(got.estimated_delivery_time).toBeUndefined();
    expect(got.traces.map((t) => t.accept_address)).toEqual([
      '</script><script>alert(1)</script>',
      'WxOrderCb({"err_code":0}) [31m',
      '长'.repeat(512),
      '7',
    ]);
    expect(got.traces[0]!.remark).toBe('a\u2028b\u2029c');
    expect(pc.snapshot().droppedTraces).toBe(1);
  });
});
