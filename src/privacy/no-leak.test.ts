/**
 * Issue 19 §3: logs, metrics and the conformance checker's output never contain an unmasked value.
 *
 * One real gateway (startGateway, as `serve` runs it; access log on, debug level, metrics on their
 * own port) serving a store-mode carrier and a pull-mode carrier (a Kuaidi100-shaped fake upstream
 * over a real socket). Traffic with personal data goes through every path that can log:
 * pushes (good, and refused ones whose fields hold a phone), owner bindings, strangers' and owners'
 * queries, unknown waybills, an upstream that fails with personal data in its body, and a full
 * `wxtrack check` run with its load and its Markdown and JSON reports. Then the whole log stream,
 * the `/metrics` text and every byte check wrote are searched for each value, raw and escaped.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../api/api-keys.js';
import { startGateway, type RunningGateway } from '../cli/gateway-process.js';
import { systemClock } from '../clock/clock.js';
import { loadGatewayConfig } from '../config/gateway-config.js';
import { createLogger } from '../http/logging.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { startFakeKuaidi100, type FakeUpstream } from '../pull/testing/fake-upstream.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { cli } from '../testing/cli-run.js';
import { uEscape } from './testing/personal-traces.js';

const OWNER_KEY = 'no-leak-owner-key-0123456789ab';
const OWNER = 'oNoLeakOwner_0123456789abcd';
const STRANGER = 'oNoLeakStranger_0123456789a';
const STORE_W = 'ST000000000001';
const PULL_W = 'YT0000000000001';
const FAILING_W = 'YT0000000000009';
const COURIER = '13900001111';
/** Every value a stranger must never see in full, and that must never reach a log, metric or report. */
const SECRETS = [
  '张三',
  '13812345678',
  '8-3-2011',
  '李四',
  '13700001234',
  'A12-3456',
  '王芳',
  '13698765432',
  'Q7-4410',
];

let fake: FakeUpstream;
let gateway: RunningGateway;
let apiKey = '';
let pullKey = '';
let logs = '';
const dir = mkdtempSync(join(tmpdir(), 'wxtrack-no-leak-'));

beforeAll(async () => {
  fake = await startFakeKuaidi100('NL-CUSTOMER', 'NL-KEY');
  fake.answer = (w) => {
    if (w === FAILING_W)
      return { status: 502, raw: '{"error":"收件人王芳 13698765432 取件码 Q7-4410 查询失败"}' };
    if (w !== PULL_W) return { json: { result: false, returnCode: '500', message: '查询无结果' } };
    return {
      json: {
        message: 'ok',
        state: '5',
        ischeck: '0',
        com: 'yuantong',
        nu: w,
        data: [
          {
            context: `派件中，派件员电话${COURIER}，收件人王芳，电话 13698765432，取件码 Q7-4410`,
            ftime: '2026-07-03 09:00:00',
            statusCode: '501',
          },
          { context: '快件离开【杭州转运中心】', ftime: '2026-07-02 09:00:00', statusCode: '1002' },
        ],
      },
    };
  };
  const file = {
    carriers: [
      { id: 'STO', name: '申通', tokens: [{ env: 'T_STO' }], waybillPattern: 'ST\\d{12}' },
      {
        id: 'YTO',
        name: '圆通',
        tokens: [{ env: 'T_YTO' }],
        waybillPattern: 'YT\\d{13}',
        source: {
          upstream: {
            preset: 'kuaidi100',
            url: fake.url,
            company: 'yuantong',
            customer: 'NL-CUSTOMER',
            key: 'NL-KEY',
          },
        },
      },
    ],
  };
  const loaded = loadGatewayConfig(
    {
      config: '/virtual/wxtrack.config.json',
      port: '0',
      host: '127.0.0.1',
      'metrics-port': '0',
      'access-log': true,
      'log-level': 'debug',
      'owner-key': OWNER_KEY,
      'rate-limit': '0',
    },
    { T_STO: 'token-sto', T_YTO: 'token-yto' },
    () => JSON.stringify(file),
  );
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const store = new SqliteStore({ path: ':memory:', clock: systemClock });
  const sto = generateApiKey('no-leak-sto', 'STO', Date.now());
  const yto = generateApiKey('no-leak-yto', 'YTO', Date.now());
  await store.addApiKey(sto.record);
  await store.addApiKey(yto.record);
  apiKey = sto.key;
  pullKey = yto.key;
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  gateway = await startGateway(loaded.config, { store, logger: createLogger('debug', sink) });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = (method: string, path: string, key: string, body?: unknown) =>
  fetch(gateway.origin + path, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

let nonce = 1;
async function scan(carrier: 'STO' | 'YTO', waybill: string, openid: string): Promise<string> {
  const res = await fetch(
    signedQueryUrl({
      url: gateway.origin + '/wechat/track',
      token: 'token-' + carrier.toLowerCase(),
      orderid: waybill,
      openid,
      companyId: carrier,
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: 'nl' + nonce++,
    }),
  );
  return res.text();
}

/** Where `text` holds a value, raw or escaped, or `undefined`. */
function found(text: string, values: readonly string[]): string | undefined {
  for (const v of values) {
    for (const form of [v, JSON.stringify(v).slice(1, -1), uEscape(v, false), uEscape(v, true)]) {
      if (text.includes(form)) return `${v} as ${form}`;
    }
  }
  return undefined;
}

describe('no unmasked value in logs, metrics or the checker’s output', () => {
  it('store mode and pull mode, through pushes, bindings, queries, failures and wxtrack check', async () => {
    // Store mode: a push with personal data in text and in fields; refused pushes holding some.
    const good = {
      waybill: STORE_W,
      event_id: 'e1',
      time: '2026-07-08T09:00:00+08:00',
      status: 3,
      description: `派送中，签收人：张三，取件码 8-3-2011，收件人电话13812345678，派件员电话${COURIER}`,
      recipient_name: '李四',
      recipient_phone: '13700001234',
      pickup_code: 'A12-3456',
    };
    expect((await api('POST', '/v1/events', apiKey, [good])).status).toBe(200);
    const refused = await api('POST', '/v1/events', apiKey, [
      { ...good, event_id: 'bad1', recipient_name: '李四13700001234' },
      { ...good, event_id: 'bad2', recipient_phone: '张三 13812345678 A12-3456' },
    ]);
    const refusedText = await refused.text();
    expect(found(refusedText, SECRETS)).toBeUndefined();

    // Bindings: the store's waybill, and the pulled one (no stored events).
    expect((await api('PUT', `/v1/waybills/${STORE_W}/owners`, apiKey, { openid: OWNER })).status).toBe(200);
    expect((await api('PUT', `/v1/waybills/${PULL_W}/owners`, pullKey, { openid: OWNER })).status).toBe(200);

    // Queries by strangers and owners; each reply is what its reader may see.
    const strangerStore = await scan('STO', STORE_W, STRANGER);
    expect(found(strangerStore, SECRETS)).toBeUndefined();
    expect(strangerStore).toContain(COURIER);
    expect(await scan('STO', STORE_W, OWNER)).toContain('13812345678');
    const strangerPull = await scan('YTO', PULL_W, STRANGER);
    expect(found(strangerPull, SECRETS)).toBeUndefined();
    expect(strangerPull).toContain(COURIER);
    expect(await scan('YTO', PULL_W, OWNER)).toContain('13698765432');
    // Unknown waybills, and an upstream failing with personal data in its body: 50001, no echo.
    await scan('STO', 'ST999999999999', STRANGER);
    await scan('YTO', 'YT9999999999999', STRANGER);
    const failing = await scan('YTO', FAILING_W, OWNER);
    expect(failing).toContain('50001');
    expect(found(failing, SECRETS)).toBeUndefined();

    // The conformance checker, both carriers, with its load and both reports.
    let checked = '';
    for (const [carrier, waybill] of [
      ['STO', STORE_W],
      ['YTO', PULL_W],
    ] as const) {
      const report = join(dir, `report-${carrier}.md`);
      const common = [
        'check',
        gateway.origin + '/wechat/track',
        '--token',
        'token-' + carrier.toLowerCase(),
        '--company-id',
        carrier,
        '--orderid',
        waybill,
      ];
      const load = ['--connections', '2', '--seconds', '1', '--max-requests', '200', '--p99-budget', '60000'];
      const text = await cli(...common, ...load, '--report', report);
      expect(text.code, text.out + text.err).toBe(0);
      const json = await cli(...common, '--no-load', '--json');
      expect(json.code, json.out + json.err).toBe(0);
      checked += text.out + text.err + readFileSync(report, 'utf8') + json.out + json.err;
    }
    expect(checked).toContain('Ready for review');
    expect(found(checked, SECRETS)).toBeUndefined();

    // The metrics, scraped after all of it.
    const metrics = await (await fetch(`${gateway.metricsOrigin!}/metrics`)).text();
    expect(metrics).toContain('wxtrack_upstream_calls_total{carrier="YTO"}');
    expect(found(metrics, [...SECRETS, OWNER, STRANGER])).toBeUndefined();

    // And the whole log stream: no value, no openid, whatever the level.
    expect(logs.length).toBeGreaterThan(1000);
    expect(found(logs, [...SECRETS, OWNER, STRANGER])).toBeUndefined();
  });
});
