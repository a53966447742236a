import { describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../config.js';
import { createLogger } from '../http/logging.js';
import { makeRenderer } from '../store/renderer.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { scan } from '../testing/gateway-fixture.js';
import { systemClock } from '../clock/clock.js';
import { startGateway } from './gateway-process.js';

describe('startGateway shutdown', () => {
  it('finishes a request in flight, then closes the store', async () => {
    const real = new SqliteStore({
      path: ':memory:',
      clock: systemClock,
      renderer: makeRenderer(() => 'Asia/Shanghai'),
    });
    await real.ingest('default', [scan({ eventId: 'e1' })]);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const reading = new Promise<void>((r) => (entered = r));
    const slow: Store = {
      ingest: (c, e) => real.ingest(c, e),
      getWaybill: (c, w) => real.getWaybill(c, w),
      ping: () => real.ping(),
      changeCounter: () => real.changeCounter(),
      close: () => real.close(),
      getReply: async (c, w) => {
        entered();
        await held;
        return real.getReply(c, w);
      },
    };
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
