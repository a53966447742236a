/**
 * The preview page in real Chromium (Debian's /usr/bin/chromium or WXTRACK_TEST_CHROMIUM, driven by
 * playwright-core; skipped with a notice where it is not installed, see testing/services.ts): the
 * JSONP request is a real cross-origin <script>, under the page's real Content-Security-Policy.
 * Screenshots go to a temporary folder (printed once, left for a person to look at), never the clone.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { IN_TRANSIT, REFERENCE_TOKEN, referenceServer } from '../conformance/testing/reference-server.js';
import { fixtureCarrier, gatewayFixture, NOW, scan, TOKEN } from '../testing/gateway-fixture.js';
import { executables, needs } from '../testing/services.js';
import { startPreviewServer } from './preview-server.js';

const chromiumGate = await needs('chromium');
let OUT = '';
let browser: Browser;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  OUT = mkdtempSync(join(tmpdir(), 'wxtrack-preview-'));
  console.info(`preview screenshots: ${OUT}`);
  browser = await chromium.launch({
    executablePath: executables.chromium(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => browser?.close());
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

/** Opens a page, recording what the console says about the CSP and any request leaving 127.0.0.1. */
async function open(url: string): Promise<{ page: Page; violations: string[]; outside: string[] }> {
  const page = await browser.newPage({ viewport: { width: 480, height: 900 } });
  closers.push(() => page.close());
  const violations: string[] = [];
  const outside: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  page.on('request', (r) => {
    if (!new URL(r.url()).hostname.startsWith('127.')) outside.push(r.url());
  });
  await page.goto(url);
  return { page, violations, outside };
}

chromiumGate.describe('wxtrack preview in Chromium', () => {
  it('renders a normal waybill: status, ETA, timeline, barcode and cell links with WeChat’s parameters', async () => {
    const fixture = await gatewayFixture({
      carriers: [fixtureCarrier({ cells: [{ key: 'wxpay', name: '支付运单', link: 'pages/pay/index' }] })],
      events: [
        scan({ eventId: 'a1', status: 1, label: '已揽件', description: '快件已揽收', time: NOW - 7_200_000 }),
        scan({ eventId: 'a2', status: 3, label: '派送中', description: '快件派送中', time: NOW - 600_000 }),
      ],
    });
    closers.push(() => fixture.close());
    const gateway = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const preview = await startPreviewServer({
      endpoint: `${gateway}/wechat/track`,
      token: TOKEN,
      cells: [{ key: 'wxpay', name: '支付运单', link: 'pages/pay/index' }],
      now: () => fixture.clock.now(),
    });
    closers.push(() => preview.close());

    const { page, violations, outside } = await open(`${preview.url}?orderid=YT1234567890123`);
    await page.locator('#timeline li').nth(1).waitFor({ timeout: 15_000 });
    expect(await page.locator('#status').textContent()).toContain('派送中');
    expect(await page.locator('#eta').textContent()).toContain('2026-07-09');
    const items = await page.locator('#timeline li .label').allTextContents();
    expect(items).toEqual(['派送中', '已揽件']);
    const link = (await page.locator('#cells .link').textContent())!;
    expect(link).toMatch(
      // The cell's status (state=paid) is a URL parameter appended to the link; WeChat's five follow.
      /^pages\/pay\/index\?state=paid&timestamp=\d+&nonce=\w+&signature=[0-9a-f]{40}&orderid=YT1234567890123&openid=\w+$/,
    );
    // Strings run in the page, where the DOM is (this file is type-checked without it).
    await page.waitForFunction("document.getElementById('barcode').naturalWidth > 0");
    expect(await page.locator('#error').isHidden()).toBe(true);
    expect(await page.locator('#warnings').isHidden()).toBe(true);
    expect(await page.content()).not.toContain(TOKEN);
    expect(violations).toEqual([]);
    expect(outside).toEqual([]);
    await page.screenshot({ path: join(OUT, 'preview-waybill.png'), fullPage: true });
  }, 60_000);

  it('shows a broken endpoint’s error plainly, with the check that names it', async () => {
    const broken = http.createServer((_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
        .end('WxOrderCb({"err_code":0,"traces":[');
    });
    await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => broken.close(() => resolve())));
    const preview = await startPreviewServer({
      endpoint: `http://127.0.0.1:${(broken.address() as AddressInfo).port}/track`,
      token: 'any-token',
    });
    closers.push(() => preview.close());

    const { page } = await open(`${preview.url}?orderid=YT1234567890123`);
    await page.locator('#error-checks li').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#card').isHidden()).toBe(true);
    expect(await page.locator('#error-message').textContent()).toMatch(/WxOrderCb|not valid JavaScript/);
    expect((await page.locator('#error-checks').textContent())!).toContain('body-shape: does not end with )');
    await page.screenshot({ path: join(OUT, 'preview-broken.png'), fullPage: true });
  }, 60_000);

  it('flags a reply a browser forgives but WeChat’s page does not (a /**/ prefix)', async () => {
    const clock = new ManualClock(NOW);
    const server = await referenceServer('jsonp-prefix', () => clock.now());
    closers.push(() => server.close());
    const preview = await startPreviewServer({
      endpoint: server.url,
      token: REFERENCE_TOKEN,
      now: () => clock.now(),
    });
    closers.push(() => preview.close());
    const { page } = await open(`${preview.url}?orderid=${IN_TRANSIT}`);
    await page.locator('#warning-checks li').first().waitFor({ timeout: 15_000 });
    expect(await page.locator('#warning-checks').textContent()).toContain('body-shape');
  }, 60_000);

  it('refuses an inline script: the policy allows only itself and the endpoint', async () => {
    const preview = await startPreviewServer({ endpoint: 'http://127.0.0.1:9/track', token: 'any-token' });
    closers.push(() => preview.close());
    const { page } = await open(preview.url);
    const injected = await page.evaluate(`(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__ran = true';
      document.body.appendChild(s);
      return window.__ran === true;
    })()`);
    expect(injected).toBe(false);
  }, 60_000);
});
