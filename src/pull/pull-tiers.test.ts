/**
 * Privacy tiers in pull mode, over real sockets end to end: a gateway (startGateway, as `serve`
 * runs it) in front of a Kuaidi100-shaped, a Kdniao-shaped and a generic fake upstream, each
 * checking its signature, whose traces hold customers' names, phones and pickup codes beside a
 * courier's phone. Each carrier has an unmasked twin (masking off, same upstream): the reply
 * without tiers that an owner's must equal byte for byte.
 *
 * - a stranger's reply holds no customer value in full, in any form (raw, escaped, split);
 *   courier phones survive;
 * - the courier binds a reader through `PUT /v1/waybills/:waybill/owners` (no stored events: the
 *   waybill lives upstream), and that reader's reply is the twin's, byte for byte, at no upstream
 *   call of its own; the cached reply still shows strangers the masked one;
 * - unbinding and erasing make the reader a stranger again; the log holds none of the values;
 * - over generated traces (fast-check), through the same sockets.
 */
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../api/api-keys.js';
import { startGateway, type RunningGateway } from '../cli/gateway-process.js';
import { systemClock } from '../clock/clock.js';
import { loadGatewayConfig } from '../config/gateway-config.js';
import { createLogger } from '../http/logging.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { leaks, scenario, secretsOf, type Part } from '../privacy/testing/personal-traces.js';
import {
  startFakeGeneric,
  startFakeKdniao,
  startFakeKuaidi100,
  type FakeAnswer,
  type FakeUpstream,
} from './testing/fake-upstream.js';

const OWNER_KEY = 'pull-tiers-owner-key-0123456789';
const OWNER = 'oPullOwner_0123456789abcdefg';
const STRANGER = 'oPullStranger_0123456789abcd';
const COURIER = '13900001111';

let k100: FakeUpstream;
let kdniao: FakeUpstream;
let generic: FakeUpstream;
let gateway: RunningGateway;
let logs = '';
const apiKeys = new Map<string, string>();
/** What each fake answers per waybill, set per test. */
const k100Answers = new Map<string, FakeAnswer>();
const kdniaoAnswers = new Map<string, FakeAnswer>();
const genericAnswers = new Map<string, FakeAnswer>();
const notFound = { json: { result: false, returnCode: '500', message: '查询无结果' } };

const carrier = (id: string, pattern: string, upstream: unknown, masked: boolean) => ({
  id,
  name: id,
  tokens: [{ env: 'TOKEN_' + id }],
  waybillPattern: pattern,
  timezone: 'Asia/Shanghai',
  source: { upstream },
  ...(masked ? {} : { privacy: { mask: false, reason: 'the unmasked twin a test compares with' } }),
});

beforeAll(async () => {
  k100 = await startFakeKuaidi100('K100-CUSTOMER', 'K100-KEY');
  k100.answer = (w) => k100Answers.get(w) ?? notFound;
  kdniao = await startFakeKdniao('1234567', 'KDN-APPKEY');
  kdniao.answer = (w) => kdniaoAnswers.get(w) ?? { json: { Success: true, State: '0', Traces: [] } };
  generic = await startFakeGeneric({ bearer: 'GENERIC-TOKEN' });
  generic.answer = (w) => genericAnswers.get(w) ?? { status: 404, json: {} };
  const yto = {
    preset: 'kuaidi100',
    url: k100.url,
    company: 'yuantong',
    customer: 'K100-CUSTOMER',
    key: 'K100-KEY',
  };
  const zto = {
    preset: 'kdniao',
    url: kdniao.url,
    company: 'ZTO',
    businessId: '1234567',
    appKey: 'KDN-APPKEY',
  };
  const sx = {
    preset: 'generic',
    url: generic.url + '/{waybill}',
    company: 'SX',
    auth: { bearer: 'GENERIC-TOKEN' },
    response: {
      traces: '$.data.scans',
      time: 'at',
      text: 'message',
      place: 'site',
      status: '$.data.code',
      statusCodes: { TRANSIT: 2, DELIVERED: 4, LOCKER: 6 },
      recipientName: 'receiver.name',
      pickupCode: 'pickup',
      recipientPhone: '$.data.receiverPhone',
      order: 'newest-first',
    },
  };
  const file = {
    carriers: [
      carrier('YTO', 'YT\\d{13}', yto, true),
      carrier('YTOOPEN', 'YT\\d{13}', yto, false),
      carrier('ZTO', '7\\d{11}', zto, true),
      carrier('ZTOOPEN', '7\\d{11}', zto, false),
      carrier('SX', 'SX\\d{12}', sx, true),
      carrier('SXOPEN', 'SX\\d{12}', sx, false),
    ],
  };
  const env = Object.fromEntries(file.carriers.map((c) => ['TOKEN_' + c.id, 'token-' + c.id.toLowerCase()]));
  const loaded = loadGatewayConfig(
    {
      config: '/virtual/wxtrack.config.json',
      port: '0',
      host: '127.0.0.1',
      'owner-key': OWNER_KEY,
      'rate-limit': '0',
    },
    env,
    () => JSON.stringify(file),
  );
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const store = new SqliteStore({ path: ':memory:', clock: systemClock });
  for (const id of ['YTO', 'ZTO', 'SX']) {
    const { key, record } = generateApiKey('tiers-' + id, id, Date.now());
    await store.addApiKey(record);
    apiKeys.set(id, key);
  }
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  gateway = await startGateway(loaded.config, { store, logger: createLogger('info', sink) });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([k100, kdniao, generic].map((f) => f?.close()));
});

let nonce = 1;
async function scan(carrierId: string, waybill: string, openid: string): Promise<Buffer> {
  const url = signedQueryUrl({
    url: gateway.origin + '/wechat/track',
    token: 'token-' + carrierId.toLowerCase(),
    orderid: waybill,
    openid,
    companyId: carrierId,
    timestamp: String(Math.floor(Date.now() / 1000)),
    nonce: 'n' + nonce++,
  });
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function owners(method: 'PUT' | 'DELETE', carrierId: string, waybill: string, openid: string) {
  const res = await fetch(`${gateway.origin}/v1/waybills/${waybill}/owners`, {
    method,
    headers: { authorization: `Bearer ${apiKeys.get(carrierId)!}`, 'content-type': 'application/json' },
    body: JSON.stringify({ openid }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function erase(carrierId: string, waybill: string) {
  const res = await fetch(`${gateway.origin}/v1/waybills/${waybill}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${apiKeys.get(carrierId)!}` },
  });
  return res.status;
}

const expectNoLeak = (bytes: Buffer, secrets: readonly string[]) => {
  for (const s of secrets) expect(leaks(bytes, s), s).toBeUndefined();
};

describe('pull mode, privacy tiers over real sockets', () => {
  const YT = 'YT0000000000101';
  const SECRETS = ['张三', '13812345678', '8-3-2011'];
  beforeAll(() => {
    k100Answers.set(YT, {
      json: {
        message: 'ok',
        state: '3',
        ischeck: '1',
        com: 'yuantong',
        nu: YT,
        data: [
          {
            context: `已签收，签收人：张三，如有疑问请联系派件员李四${COURIER}`,
            ftime: '2026-07-03 15:00:00',
          },
          {
            context: '快件已由【丰巢智能柜】代收，请凭取件码 8-3-2011 取件，收件人电话13812345678',
            ftime: '2026-07-03 09:00:00',
          },
          { context: '快件离开【杭州转运中心】发往【上海】', ftime: '2026-07-02 09:00:00' },
        ],
      },
    });
  });

  it("Kuaidi100: a stranger's reply is masked, an owner's is the unmasked twin's, at no call of its own", async () => {
    const stranger = await scan('YTO', YT, STRANGER);
    expectNoLeak(stranger, SECRETS);
    expect(stranger.toString()).toContain(COURIER);
    expect(stranger.toString()).toContain('张*');
    const unmasked = await scan('YTOOPEN', YT, STRANGER);
    for (const s of SECRETS) expect(unmasked.toString()).toContain(s);

    // Bound without any stored event: the waybill lives upstream.
    expect(await owners('PUT', 'YTO', YT, OWNER)).toEqual({ status: 200, body: { bound: true } });
    const calls = k100.calls;
    const owner = await scan('YTO', YT, OWNER);
    expect(owner.equals(unmasked)).toBe(true);
    expect(k100.calls).toBe(calls);
    // The cached reply still shows everyone else the masked one.
    expect((await scan('YTO', YT, STRANGER)).equals(stranger)).toBe(true);

    expect(await owners('DELETE', 'YTO', YT, OWNER)).toEqual({ status: 200, body: { unbound: true } });
    expect((await scan('YTO', YT, OWNER)).equals(stranger)).toBe(true);

    // Erasure takes the binding with the waybill's record.
    await owners('PUT', 'YTO', YT, OWNER);
    expect((await scan('YTO', YT, OWNER)).equals(unmasked)).toBe(true);
    expect(await erase('YTO', YT)).toBe(200);
    expect((await scan('YTO', YT, OWNER)).equals(stranger)).toBe(true);
    expect(k100.badSignatures).toBe(0);
  });

  it('Kdniao: a virtual number with its extension, a name after 收件人, a locker code', async () => {
    const W = '712345678901';
    kdniaoAnswers.set(W, {
      json: {
        EBusinessID: '1234567',
        Success: true,
        State: '3',
        StateEx: '311',
        Traces: [
          { AcceptTime: '2026-07-01 18:00:00', AcceptStation: '【杭州】已揽收，揽收员电话15800002222' },
          {
            AcceptTime: '2026-07-02 10:00:00',
            AcceptStation: '派送中，收件人：欧阳娜娜，电话 13698765432-1234',
            Remark: '柜号 C07-3312',
          },
          { AcceptTime: '2026-07-02 16:00:00', AcceptStation: '已放入快递柜，请凭提货码 B3-0915 取件' },
        ],
      },
    });
    const secrets = ['欧阳娜娜', '13698765432', 'C07-3312', 'B3-0915'];
    const stranger = await scan('ZTO', W, STRANGER);
    expectNoLeak(stranger, secrets);
    expect(stranger.toString()).toContain('15800002222');
    const unmasked = await scan('ZTOOPEN', W, STRANGER);
    expect(await owners('PUT', 'ZTO', W, OWNER)).toMatchObject({ status: 200 });
    expect((await scan('ZTO', W, OWNER)).equals(unmasked)).toBe(true);
    expect(kdniao.badSignatures).toBe(0);
  });

  it("generic: the mapping's structured fields, per trace and the waybill's, drawn for owners only", async () => {
    const W = 'SX000000000101';
    genericAnswers.set(W, {
      json: {
        data: {
          code: 'LOCKER',
          receiverPhone: '13755556666',
          scans: [
            {
              at: '2026-07-03T12:00:00+08:00',
              message: '已投递至快递柜，请凭取件码取件',
              site: '上海徐汇',
              receiver: { name: '刘伟' },
              pickup: 'Z9-8877',
            },
            // The waybill's phone, repeated in text only: hidden from strangers.
            { at: '2026-07-03T08:00:00+08:00', message: '派送中，客户电话 137 5555 6666', site: '上海徐汇' },
          ],
        },
      },
    });
    const secrets = ['刘伟', '13755556666', 'Z9-8877'];
    const stranger = await scan('SX', W, STRANGER);
    expectNoLeak(stranger, secrets);
    expect(stranger.toString()).toContain('取件码：****');
    const unmasked = await scan('SXOPEN', W, STRANGER);
    expect(unmasked.toString()).toContain('收件人：刘伟');
    expect(unmasked.toString()).toContain('取件码：Z9-8877');
    await owners('PUT', 'SX', W, OWNER);
    expect((await scan('SX', W, OWNER)).equals(unmasked)).toBe(true);
  });

  it('the log holds none of the values, nor an openid', () => {
    for (const s of ['张三', '13812345678', '8-3-2011', '欧阳娜娜', '13698765432', '刘伟', 'Z9-8877', OWNER])
      expect(logs).not.toContain(s);
  });

  it('over generated traces: strangers never see a value in full, owners get the unmasked bytes', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ([courier, parts]: [string, Part[]]) => {
        const W = 'YT' + String(2_000_000_000_000 + n++).padStart(13, '0');
        k100Answers.set(W, {
          json: {
            message: 'ok',
            state: '0',
            ischeck: '0',
            com: 'yuantong',
            nu: W,
            data: parts
              .map((p, i) => ({ context: p.description, ftime: `2026-07-04 0${i}:00:00` }))
              .reverse(),
          },
        });
        const stranger = await scan('YTO', W, STRANGER);
        const s = secretsOf(parts);
        expectNoLeak(stranger, [...s.phones, ...s.names, ...s.codes]);
        if (parts.some((p) => p.description.includes(courier)))
          expect(stranger.includes(Buffer.from(courier))).toBe(true);
        await owners('PUT', 'YTO', W, OWNER);
        const owner = await scan('YTO', W, OWNER);
        expect(owner.equals(await scan('YTOOPEN', W, OWNER))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
