/**
 * @module
 * WeChat's page loads the reply with a `<script>` tag, and Chromium (WeChat's in-app browser is
 * built on it) sends `Accept-Encoding: gzip` for it: this loads a real reply that way in headless
 * Chromium and checks the callback ran with the reply, so the gzip member spliced from the stored
 * reply (view/deflated-reply.ts) decodes in a browser, not only in zlib. Skipped with a notice
 * where Chromium is not installed (testing/services.ts).
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { makeRenderer } from '../store/renderer.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { ViewedStore } from '../store/viewed-store.js';
import { gatewayFixture, NOW, scan, type GatewayFixture } from '../testing/gateway-fixture.js';
import { executables, needs } from '../testing/services.js';
import { MemoryReplyView } from '../view/memory/memory-view.js';

const chromium = await needs('chromium');
const CHROMIUM = executables.chromium() ?? '/usr/bin/chromium';
let gw: GatewayFixture | undefined;
let page: Server | undefined;
afterEach(async () => {
  page?.close();
  await gw?.close();
});

chromium.describe('a gzip-encoded reply in a browser', () => {
  it('runs the callback with the reply when a <script> tag loads it', async () => {
    const clock = new ManualClock(NOW);
    const inner = new SqliteStore({ path: ':memory:', clock, renderer: makeRenderer(() => 'Asia/Shanghai') });
    const store = new ViewedStore({ store: inner, view: new MemoryReplyView(), clock, source: 'test' });
    await store.start();
    gw = await gatewayFixture({
      store,
      events: [scan({ eventId: 'e1' }), scan({ eventId: 'e2', time: NOW - 60_000 })],
    });
    await gw.app.listen({ host: '127.0.0.1', port: 0 });
    const port = (gw.app.server.address() as AddressInfo).port;
    // The first query fills the view; the browser's then reads the deflated reply.
    await gw.app.inject({ method: 'GET', url: gw.signed('YT1234567890123') });
    const src = `http://127.0.0.1:${port}${gw.signed('YT1234567890123')}`;
    const html =
      '<pre id="out">not called</pre><script>function WxOrderCb(d){document.getElementById("out").textContent=' +
      '"called " + d.err_code + " " + d.traces.length + " " + d.traces[0].remark}</script>' +
      `<script src="${src.replace(/&/g, '&amp;')}"></script>`;
    page = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    });
    await new Promise<void>((resolve) => page!.listen(0, '127.0.0.1', resolve));
    const pagePort = (page.address() as AddressInfo).port;
    const dom = await new Promise<string>((resolve, reject) =>
      execFile(
        CHROMIUM,
        [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--dump-dom',
          `http://127.0.0.1:${pagePort}/`,
        ],
        { timeout: 60_000 },
        (err, stdout) => (err ? reject(err) : resolve(stdout)),
      ),
    );
    expect(dom).toContain('called 0 2 河北永清县');
    // And the browser was indeed sent gzip: the fast path logs nothing for a success, so ask the
    // same question over the socket with Chromium's header.
    const res = await fetch(`http://127.0.0.1:${port}${gw.signed('YT1234567890123')}`, {
      headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
  }, 90_000);
});
