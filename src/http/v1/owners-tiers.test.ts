/**
 * Privacy tiers end to end, over the real app, its reply view and both stores: a courier pushes a
 * parcel whose trace holds a customer's phone, name and pickup code; a stranger's scan shows them
 * masked; the courier binds the reader through the owners API and that reader's scan shows them in
 * full; unbinding, erasing and retention make the reader a stranger again. Logs hold none of it.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../api/api-keys.js';
import { compileWaybillPattern, type Carrier } from '../../carrier/carrier.js';
import { ManualClock } from '../../clock/clock.js';
import { openReplies } from '../../backends/open-backends.js';
import { MemoryReplayGuard } from '../../guard/memory/memory-guard.js';
import { DEFAULT_PRIVACY } from '../../privacy/privacy-rules.js';
import { parseJsonpBody } from '../../protocol/jsonp.js';
import { signedQueryUrl } from '../../protocol/signed-url.js';
import { renderOptionsFrom } from '../../reply/render-on-read.js';
import { PostgresStore } from '../../store/postgres/postgres-store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/store.js';
import { createTestSchema } from '../../testing/postgres-schema.js';
import { needs } from '../../testing/services.js';
import { buildApp } from '../app.js';
import { createLogger } from '../logging.js';

const TOKEN = 'tiers-token-1';
const OWNER_KEY = 'an-owner-key-of-32-characters!!!';
const NOW = Date.UTC(2026, 6, 8, 4, 0, 0);
const W = 'YT1234567890123';
const OWNER = 'oOwner_0123456789abcdefghij';
const STRANGER = 'oStranger_0123456789abcdefg';
const PHONE = '13812345678';
const COURIER = '13900001111';
const SECRETS = [PHONE, '张三', '8-3-2011'];

const carrier: Carrier = {
  id: 'default',
  name: '圆通',
  tokens: [TOKEN],
  timezone: 'Asia/Shanghai',
  waybillPattern: 'YT\\d{13}',
  waybillMatcher: compileWaybillPattern('YT\\d{13}'),
  privacy: DEFAULT_PRIVACY,
};

type Open = (clock: ManualClock) => Promise<{ store: Store; dispose: () => Promise<void> }>;

async function tiersApp(open: Open) {
  const clock = new ManualClock(NOW);
  const { store, dispose } = await open(clock);
  const carriers = { current: () => [carrier] };
  const opened = await openReplies({ store: { kind: 'sqlite', path: ':memory:' }, view: undefined }, store, {
    clock,
    renderOptionsOf: renderOptionsFrom(carriers),
    privacyOf: () => DEFAULT_PRIVACY,
    ownerKey: OWNER_KEY,
    injectedStore: true,
    timer: { every: () => () => {} },
  });
  let logs = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logs += chunk.toString();
      done();
    },
  });
  const guard = new MemoryReplayGuard({ clock, maxEntries: 10_000 });
  const app = buildApp({
    config: {
      trackPath: '/wechat/track',
      windowSeconds: 300,
      callbacks: ['WxOrderCb'],
      carriers: [carrier],
      accessLog: true,
      ownerKey: OWNER_KEY,
    },
    store,
    replies: opened.replies,
    render: opened.render,
    afterWrite: opened.afterWrite,
    guard,
    clock,
    logger: createLogger('info', sink),
  });
  await app.ready();
  const { key, record } = generateApiKey('tiers', 'default', clock.now());
  await store.addApiKey(record);
  let nonce = 5000;
  const api = (method: 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown) =>
    app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${key}` },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const scan = async (openid: string) => {
    const res = await app.inject({
      method: 'GET',
      url: signedQueryUrl({
        url: '/wechat/track',
        token: TOKEN,
        orderid: W,
        openid,
        timestamp: String(Math.floor(clock.now() / 1000)),
        nonce: String(nonce++),
      }),
    });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  return {
    api,
    scan,
    store,
    clock,
    logs: () => logs,
    close: async () => {
      await app.close();
      await guard.close();
      await opened.close();
      await dispose();
    },
  };
}

const push = {
  waybill: W,
  event_id: 'e1',
  time: '2026-07-08T09:00:00+08:00',
  status: 4,
  description: `已签收，签收人：张三，取件码 8-3-2011，收件人电话${PHONE}，派件员电话${COURIER}`,
  location: '文一路3栋2单元501室',
};

function tiersSuite(name: string, open: Open) {
  describe(`privacy tiers over the real API: ${name}`, () => {
    let t: Awaited<ReturnType<typeof tiersApp>>;
    afterEach(() => t.close());

    it('masks for strangers, shows owners everything, and unbinding makes a stranger again', async () => {
      t = await tiersApp(open);
      expect((await t.api('POST', '/v1/events', [push])).statusCode).toBe(200);

      const stranger = await t.scan(STRANGER);
      for (const s of SECRETS) expect(stranger).not.toContain(s);
      expect(stranger).toContain('138******78');
      expect(stranger).toContain(COURIER);
      expect(stranger).toContain('3栋*单元***室');

      expect((await t.api('PUT', `/v1/waybills/${W}/owners`, { openid: OWNER })).json()).toEqual({
        bound: true,
      });
      const owner = await t.scan(OWNER);
      for (const s of SECRETS) expect(owner).toContain(s);
      expect(parseJsonpBody(owner)).toMatchObject({ order_status: 4 });
      // Cached or not, a stranger's scan is still masked after the owner's.
      const again = await t.scan(STRANGER);
      for (const s of SECRETS) expect(again).not.toContain(s);

      expect((await t.api('DELETE', `/v1/waybills/${W}/owners`, { openid: OWNER })).json()).toEqual({
        unbound: true,
      });
      const unbound = await t.scan(OWNER);
      for (const s of SECRETS) expect(unbound).not.toContain(s);

      // Neither the access log nor any other line holds a value or the openid.
      for (const s of [...SECRETS, OWNER, STRANGER]) expect(t.logs()).not.toContain(s);
    });

    it("draws an event's personal fields, stored with it, in full for owners and masked for strangers", async () => {
      t = await tiersApp(open);
      const fields = { recipient_name: '李四', recipient_phone: '13700001234-5678', pickup_code: 'A12-3456' };
      const res = await t.api('POST', '/v1/events', [
        { ...push, description: '已签收', location: undefined, ...fields },
      ]);
      expect(res.statusCode).toBe(200);
      const stranger = await t.scan(STRANGER);
      expect(stranger).toContain('（收件人：李*，电话：137******34-****，取件码：****）');
      for (const v of ['李四', '13700001234', '5678', 'A12-3456']) expect(stranger).not.toContain(v);
      await t.api('PUT', `/v1/waybills/${W}/owners`, { openid: OWNER });
      expect(await t.scan(OWNER)).toContain('（收件人：李四，电话：13700001234-5678，取件码：A12-3456）');
    });

    it('erases the owners with the waybill, and retention expires them with it', async () => {
      t = await tiersApp(open);
      await t.api('POST', '/v1/events', [push]);
      await t.api('PUT', `/v1/waybills/${W}/owners`, { openid: OWNER });
      expect((await t.api('DELETE', `/v1/waybills/${W}`)).statusCode).toBe(200);
      await t.api('POST', '/v1/events', [{ ...push, event_id: 'e2' }]);
      for (const s of SECRETS) expect(await t.scan(OWNER)).not.toContain(s);

      await t.api('PUT', `/v1/waybills/${W}/owners`, { openid: OWNER });
      for (const s of SECRETS) expect(await t.scan(OWNER)).toContain(s);
      await t.store.purgeOlderThan(NOW + 86_400_000);
      await t.api('POST', '/v1/events', [{ ...push, event_id: 'e3' }]);
      for (const s of SECRETS) expect(await t.scan(OWNER)).not.toContain(s);
    });
  });
}

tiersSuite('SQLite', (clock) => {
  const store = new SqliteStore({ path: ':memory:', clock });
  return Promise.resolve({ store, dispose: () => store.close() });
});

const postgres = await needs('postgres');
postgres.describe('PostgreSQL', () =>
  tiersSuite('PostgreSQL', async (clock) => {
    const schema = await createTestSchema('wxtrack_tiers');
    const store = await PostgresStore.open({ pool: schema.pool(), clock });
    return {
      store,
      dispose: async () => {
        await store.close();
        await schema.drop();
      },
    };
  }),
);
