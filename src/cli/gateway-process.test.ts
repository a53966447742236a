import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config/gateway-config.js';
import { createLogger } from '../http/logging.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { wrapStore } from '../testing/wrap-store.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { scan } from '../testing/gateway-fixture.js';
import { systemClock } from '../clock/clock.js';
import { startGateway } from './gateway-process.js';
import { compileWaybillPattern, type Carrier } from '../carrier/carrier.js';
import { SwappableCarriers } from '../carrier/carrier-source.js';
import { ManualClock } from '../clock/clock.js';
import { parseJsonpBody } from '../protocol/jsonp.js';
import { event } from '../store/store.case.test.js';
import { openStore, renderOptionsFrom } from '../backends/open-backends.js';
import { replyOf } from '../testing/render-reply.js';
const carrier = (id: string, over: Partial<Carrier> = {}): Carrier => ({
  id,
  name: id,
  tokens: ['t-' + id],
  waybillPattern: 'YT\\d{13}',
  waybillMatcher: compileWaybillPattern('YT\\d{13}'),
  timezone: 'Asia/Shanghai',
  ...over,
});

const addresses = (json: string | Buffer) =>
  (
    parseJsonpBody('WxOrderCb(' + json.toString() + ')') as { traces: { accept_address: string }[] }
  ).traces.map((t) => t.accept_address);

describe('render on read', () => {
  it("renders each carrier's replies with its own trace options, as in force when rendered", async () => {
    const source = new SwappableCarriers([
      carrier('NEW', { trace: { order: 'newest-first', address: 'description' } }),
      carrier('OLD'),
    ]);
    const store = await openStore({ kind: 'sqlite', path: ':memory:' }, { clock: new ManualClock(0) });
    const options = renderOptionsFrom(source);
    const two = (id: string) => [
      event({ eventId: `${id}1`, description: 'first', time: 1_000 }),
      event({ eventId: `${id}2`, description: 'second', time: 2_000 }),
    ];
    await store.append('NEW', two('n'));
    await store.append('OLD', two('o'));
    const reply = async (c: string) => (await replyOf(store, c, 'YT1234567890123', options))!.json;
    expect(addresses(await reply('NEW'))).toEqual(['second', 'first']);
    expect(addresses(await reply('OLD'))).toEqual(['运输中\nfirst', '运输中\nsecond']);

    // After a reload, the next rendering of OLD's waybill follows its new options, with no write.
    source.replace([carrier('OLD', { trace: { order: 'newest-first', address: 'label-description' } })]);
    expect(addresses(await reply('OLD'))).toEqual(['运输中\nsecond', '运输中\nfirst']);
    await store.append('OLD', [event({ eventId: 'o3', description: 'third', time: 3_000 })]);
    expect(addresses(await reply('OLD'))).toEqual(['运输中\nthird', '运输中\nsecond', '运输中\nfirst']);
    await store.close();
  });
});

describe('startGateway shutdown', () => {
  it('finishes a request in flight, then closes the store', async () => {
    const real = new SqliteStore({
      path: ':memory:',
      clock: systemClock,
    });
    await real.append('default', [scan({ eventId: 'e1' })]);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const reading = new Promise<void>((r) => (entered = r));
    const slow = wrapStore(real, {
      readWaybill: async (c, w) => {
        entered();
        await held;
        return real.readWaybill(c, w);
      },
    });
    const loaded = loadGatewayConfig(
      { token: 'shutdown-token', port: '0', 'waybill-pattern': 'YT\\d{13}' },
      {},
    );
    if (!loaded.ok) throw new Error(loaded.errors.join());
    const gw = await startGateway(loaded.config, { store: slow, logger: createLogger('silent') });

    const url = signedQueryUrl({
      url: gw.origin + '/wechat/track',
      token: 'shutdown-token',
      orderid: 'YT1234567890123',
      openid: 'oShutdown',
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: '4242',
    });
    const inFlight = fetch(url).then(async (r) => ({ status: r.status, body: await r.text() }));
    await reading;
    let closed = false;
    const closing = gw.close().then(() => (closed = true));
    // Let the close begin; the request is still held inside the store read.
    await new Promise((r) => setImmediate(r));
    expect(closed).toBe(false);
    await expect(slow.ping()).resolves.toBeUndefined();

    release();
    const res = await inFlight;
    expect(res.status).toBe(200);
    expect(res.body.startsWith('WxOrderCb({"err_code":0')).toBe(true);
    await closing;
    await expect(slow.ping()).rejects.toThrow('store is closed');
    await expect(fetch(url)).rejects.toThrow();
  });
});
