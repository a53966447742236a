/**
 * Several carriers behind one endpoint, in-process through app.inject: routing, isolation,
 * token rotation, test mode, the pattern check before any store read, and SIGHUP-style reload.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SwappableCarriers } from '../carrier/carrier-source.js';
import { ManualClock } from '../clock/clock.js';
import type { Loaded } from '../config/settings.js';
import type { GatewayConfig } from '../config/gateway-config.js';
import { parseConfigText } from '../config/config-file.js';
import { createReloader } from '../config/reload.js';
import { MemoryReplayGuard } from '../guard/memory/memory-guard.js';
import { parseJsonpBody } from '../protocol/jsonp.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { wrapStore } from '../testing/wrap-store.js';
import { event } from '../store/store.case.test.js';
import { buildApp } from './app.js';
import { createLogger } from './logging.js';

const NOW = Date.UTC(2026, 6, 4, 12, 0, 0);
const ENV = {
  YTO_TOKEN: 'yto-token-new',
  YTO_OLD: 'yto-token-old',
  SF_TOKEN: 'sf-token',
  JT_TOKEN: 'jt-token',
};

const CARRIERS = [
  {
    id: 'YTO',
    name: '圆通速递',
    tokens: [{ env: 'YTO_TOKEN' }, { env: 'YTO_OLD' }],
    waybillPattern: 'YT\\d{13}',
  },
  { id: 'SF', name: '顺丰速运', tokens: [{ env: 'SF_TOKEN' }], waybillPattern: 'SF\\d{12}|\\d{12}' },
  {
    id: 'JT',
    name: '极兔速递',
    tokens: [{ env: 'JT_TOKEN' }],
    waybillPattern: 'JT\\d{13}|\\d{12}',
    environment: 'test',
    testWaybills: ['JT0000000000001'],
  },
];

function gatewayConfig(carriers: unknown[], env: Record<string, string> = ENV): Loaded<GatewayConfig> {
  const parsed = parseConfigText(JSON.stringify({ carriers }), { env });
  if (!parsed.ok) return parsed;
  return {
    ok: true,
    config: {
      store: { kind: 'sqlite', path: ':memory:' },
      host: '127.0.0.1',
      port: 0,
      trackPath: '/wechat/track',
      windowSeconds: 300,
      workerRestarts: 10,
      callbacks: ['WxOrderCb'],
      carriers: parsed.config.carriers,
      guard: { kind: 'memory', maxEntries: 1000 },
      workers: 1,
      logLevel: 'silent',
      accessLog: false,
      configFile: 'wxtrack.config.json',
      warnings: parsed.config.warnings,
    },
  };
}

/** A store that records reads, and can hold a read open to model a request in flight. */
class SpyStore {
  reads: string[] = [];
  hold: Promise<void> | undefined;
  constructor(readonly inner: Store) {}
  asStore(): Store {
    return wrapStore(this.inner, {
      readWaybill: async (c, w) => {
        this.reads.push(`${c}/${w}`);
        if (this.hold) await this.hold;
        return this.inner.readWaybill(c, w);
      },
    });
  }
}

const opened: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of opened.splice(0)) await close();
});

async function harness(carriers: unknown[] = CARRIERS) {
  const loaded = gatewayConfig(carriers);
  if (!loaded.ok) throw new Error(loaded.errors.join('\n'));
  const config = loaded.config;
  const clock = new ManualClock(NOW);
  const inner = new SqliteStore({ path: ':memory:', clock });
  const spy = new SpyStore(inner);
  const source = new SwappableCarriers(config.carriers);
  const logged: { level: string; msg: string; fields: object }[] = [];
  const log = {
    info: (fields: object, msg: string) => void logged.push({ level: 'info', msg, fields }),
    warn: (fields: object, msg: string) => void logged.push({ level: 'warn', msg, fields }),
    error: (fields: object, msg: string) => void logged.push({ level: 'error', msg, fields }),
  };
  const app = buildApp({
    config,
    store: spy.asStore(),
    guard: new MemoryReplayGuard({ clock, maxEntries: 1000 }),
    clock,
    logger: createLogger('silent'),
    carrierSource: source,
  });
  opened.push(async () => {
    await app.close();
    await inner.close();
  });
  // The same waybill number under two carriers, with different data: nothing may cross.
  await inner.append('YTO', [
    event({ eventId: 'y1', waybill: 'YT1234567890123', description: 'YTO parcel' }),
  ]);
  await inner.append('SF', [event({ eventId: 's1', waybill: '123456789012', description: 'SF parcel' })]);
  await inner.append('JT', [
    event({ eventId: 'j1', waybill: '123456789012', description: 'JT parcel' }),
    event({ eventId: 'j2', waybill: 'JT0000000000001', description: 'JT test parcel' }),
    event({ eventId: 'j3', waybill: 'JT0000000000002', description: 'JT real parcel' }),
  ]);
  let nonce = 1;
  const query = async (orderid: string, token: string, companyId?: string) => {
    const url = signedQueryUrl({
      url: '/wechat/track',
      token,
      orderid,
      openid: 'oUser0000000000000000000001',
      timestamp: String(NOW / 1000),
      nonce: String(nonce++),
      ...(companyId === undefined ? {} : { companyId }),
    });
    const res = await app.inject({ method: 'GET', url });
    return parseJsonpBody(res.body) as {
      err_code: number;
      traces?: { accept_address: string }[];
    };
  };
  const reload = createReloader({
    load: () => gatewayConfig(currentFile.carriers),
    carriers: source,
    running: config,
    log,
  });
  const currentFile = { carriers };
  return { app, query, spy, source, reload, currentFile, logged, config };
}

const described = (r: { traces?: { accept_address: string }[] }) =>
  r.traces?.map((t) => t.accept_address.split('\n')[1]);

describe('routing several carriers behind one endpoint', () => {
  it('picks the carrier by company_id', async () => {
    const h = await harness();
    const r = await h.query('123456789012', 'sf-token', 'SF');
    expect(r.err_code).toBe(0);
    expect(described(r)).toEqual(['SF parcel']);
  });

  it('without company_id, routes by the one pattern that matches', async () => {
    const h = await harness();
    expect(described(await h.query('YT1234567890123', 'yto-token-new'))).toEqual(['YTO parcel']);
  });

  it('refuses an unknown company_id, and a number no pattern or several patterns claim, with 40005', async () => {
    const h = await harness();
    expect((await h.query('YT1234567890123', 'yto-token-new', 'ZTO')).err_code).toBe(40005);
    expect((await h.query('ZT1234567890123', 'yto-token-new')).err_code).toBe(40005);
    // 12 digits: both SF and JT claim it.
    expect((await h.query('123456789012', 'sf-token')).err_code).toBe(40005);
    expect(h.spy.reads).toEqual([]);
  });

  it("answers 40402 for an orderid outside the chosen carrier's pattern, before any store read", async () => {
    const h = await harness();
    expect((await h.query('SF123456789012', 'yto-token-new', 'YTO')).err_code).toBe(40402);
    expect(h.spy.reads).toEqual([]);
  });
});

describe('isolation between carriers', () => {
  it("never serves carrier B's data on a signature made with carrier A's token", async () => {
    const h = await harness();
    // SF's number, asked about as SF, signed with JT's token: refused before the store.
    expect((await h.query('123456789012', 'jt-token', 'SF')).err_code).toBe(40001);
    // YTO's token does not open SF either.
    expect((await h.query('123456789012', 'yto-token-new', 'SF')).err_code).toBe(40001);
    expect(h.spy.reads).toEqual([]);
  });

  it("reads only the chosen carrier's copy of a waybill number both carriers hold", async () => {
    const h = await harness();
    expect(described(await h.query('123456789012', 'sf-token', 'SF'))).toEqual(['SF parcel']);
    expect(h.spy.reads).toEqual(['SF/123456789012']);
  });
});

describe('token rotation', () => {
  it('verifies the current and the previous token alike', async () => {
    const h = await harness();
    expect((await h.query('YT1234567890123', 'yto-token-new')).err_code).toBe(0);
    expect((await h.query('YT1234567890123', 'yto-token-old')).err_code).toBe(0);
    expect((await h.query('YT1234567890123', 'yto-token-older')).err_code).toBe(40001);
  });

  it('stops accepting the old token once a reload drops it', async () => {
    const h = await harness();
    h.currentFile.carriers = CARRIERS.map((c) =>
      c.id === 'YTO' ? { ...c, tokens: [{ env: 'YTO_TOKEN' }] } : c,
    );
    expect(h.reload()).toMatchObject({ ok: true });
    expect((await h.query('YT1234567890123', 'yto-token-old')).err_code).toBe(40001);
    expect((await h.query('YT1234567890123', 'yto-token-new')).err_code).toBe(0);
  });
});

describe('test mode', () => {
  it('serves whitelisted waybills only; others get 40401 even when stored', async () => {
    const h = await harness();
    expect(described(await h.query('JT0000000000001', 'jt-token', 'JT'))).toEqual(['JT test parcel']);
    expect((await h.query('JT0000000000002', 'jt-token', 'JT')).err_code).toBe(40401);
    expect(h.spy.reads).toEqual(['JT/JT0000000000001']);
  });

  it('serves everything once the carrier is switched to production', async () => {
    const h = await harness();
    h.currentFile.carriers = CARRIERS.map((c) => (c.id === 'JT' ? { ...c, environment: 'production' } : c));
    expect(h.reload().ok).toBe(true);
    expect(described(await h.query('JT0000000000002', 'jt-token', 'JT'))).toEqual(['JT real parcel']);
  });
});

describe('reload', () => {
  it('puts a good configuration in force for the next request, and logs it', async () => {
    const h = await harness();
    h.currentFile.carriers = [
      ...CARRIERS,
      { id: 'ZTO', name: '中通快递', tokens: ['zto-token'], waybillPattern: 'ZT\\d{12}' },
    ];
    const outcome = h.reload();
    expect(outcome).toEqual({
      ok: true,
      carriers: ['YTO', 'SF', 'JT', 'ZTO'],
      restartNeeded: [],
      warnings: expect.any(Array),
    });
    expect((await h.query('ZT123456789012', 'zto-token')).err_code).toBe(40401);
    expect(h.logged.at(-1)).toMatchObject({ level: 'info', msg: 'configuration reloaded' });
  });

  it('refuses a bad configuration: the old one keeps serving and the reason is logged', async () => {
    const h = await harness();
    h.currentFile.carriers = [
      { ...CARRIERS[0]!, waybillPattern: '(a+)+' },
      { ...CARRIERS[1]!, id: 'YTO' },
    ];
    const outcome = h.reload();
    expect(outcome.ok).toBe(false);
    expect(!outcome.ok && outcome.errors).toEqual([
      expect.stringMatching(/^carriers\[0\]\.waybillPattern: can backtrack catastrophically/),
      'carriers[1].id: "YTO" is already used by carriers[0]',
    ]);
    expect(h.logged.at(-1)).toMatchObject({
      level: 'error',
      msg: 'configuration reload refused; the previous configuration keeps serving',
      fields: { errors: outcome.ok ? [] : outcome.errors, carriers: ['YTO', 'SF', 'JT'] },
    });
    expect(h.source.current().map((c) => c.id)).toEqual(['YTO', 'SF', 'JT']);
    expect((await h.query('YT1234567890123', 'yto-token-new')).err_code).toBe(0);
  });

  it('lets a request in flight finish with the carriers it started with', async () => {
    const h = await harness();
    let release!: () => void;
    h.spy.hold = new Promise((resolve) => (release = resolve));
    const inFlight = h.query('JT0000000000001', 'jt-token', 'JT');
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.spy.reads).toEqual(['JT/JT0000000000001']);
    // Mid-request, JT's token is replaced: the request already verified keeps its answer.
    h.currentFile.carriers = CARRIERS.map((c) => (c.id === 'JT' ? { ...c, tokens: ['jt-token-2'] } : c));
    expect(h.reload().ok).toBe(true);
    release();
    h.spy.hold = undefined;
    expect(described(await inFlight)).toEqual(['JT test parcel']);
    expect((await h.query('JT0000000000001', 'jt-token', 'JT')).err_code).toBe(40001);
  });

  it('reports settings that only a restart applies', async () => {
    const h = await harness();
    const reload = createReloader({
      load: () => {
        const next = gatewayConfig(CARRIERS);
        return next.ok ? { ok: true, config: { ...next.config, port: 9999, trackPath: '/t' } } : next;
      },
      carriers: h.source,
      running: h.config,
      log: { info: () => {}, warn: () => {}, error: () => {} },
    });
    expect(reload()).toMatchObject({ ok: true, restartNeeded: ['port', 'trackPath'] });
  });
});
