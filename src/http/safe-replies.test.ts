/**
 * @module
 * Replies no route writes, over real sockets with raw bytes (some of these requests no HTTP
 * client would send): not found, wrong method, an undecodable URL, oversized or broken heads.
 * Each has a fixed body that echoes nothing of the request, and the safe headers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayFixture, type GatewayFixture } from '../testing/gateway-fixture.js';
import { bodyOf, exchange, headerOf, listenLocal } from '../testing/raw-http.js';

const MARK = 'ZqX7mark';
let fx: GatewayFixture;
let port: number;
beforeAll(async () => {
  fx = await gatewayFixture();
  port = await listenLocal(fx.app);
});
afterAll(() => fx.close());

const get = (target: string, extra = '') =>
  exchange(port, `GET ${target} HTTP/1.1\r\nHost: x\r\n${extra}Connection: close\r\n\r\n`);

function expectSafe(text: string, status: number, code: string): void {
  expect(text.startsWith(`HTTP/1.1 ${status} `)).toBe(true);
  expect(headerOf(text, 'x-content-type-options')).toBe('nosniff');
  expect(headerOf(text, 'cache-control')).toBe('no-store');
  expect(JSON.parse(bodyOf(text))).toMatchObject({ statusCode: status, code });
  expect(text).not.toContain(MARK);
  expect(text).not.toContain('<script>');
  expect(text).not.toContain('signature');
}

describe('fixed replies', () => {
  it('404 for a path beside the track route, echoing neither URL nor signature', async () => {
    const signed = fx.signed('YT1234567890123').replace('/wechat/track', `/wechat/track/`);
    const r = await get(`${signed}&x=<script>${MARK}`);
    expectSafe(r.text, 404, 'WXT_NOT_FOUND');
  });

  it('404 for a method the route does not take', async () => {
    const r = await exchange(
      port,
      `POST /wechat/track?${MARK}=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`,
    );
    expectSafe(r.text, 404, 'WXT_NOT_FOUND');
    const d = await exchange(
      port,
      `DELETE /healthz?${MARK} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    );
    expectSafe(d.text, 404, 'WXT_NOT_FOUND');
  });

  it('400 for a URL the router cannot decode', async () => {
    const r = await get(`/wechat/track%ZZ<script>${MARK}?callback=WxOrderCb&signature=${MARK}`);
    expectSafe(r.text, 400, 'WXT_BAD_REQUEST');
  });

  it('431 for oversized headers and 400 for a broken request line', async () => {
    const big = await get('/healthz', `X-${MARK}: ${'a'.repeat(20_000)}\r\n`);
    expectSafe(big.text, 431, 'WXT_HEADERS_TOO_LARGE');
    const broken = await exchange(port, `GET /${MARK} <script>\r\n\r\n`);
    expectSafe(broken.text, 400, 'WXT_BAD_REQUEST');
  });

  it('the health routes carry the safe headers too', async () => {
    const r = await get('/healthz');
    expect(headerOf(r.text, 'x-content-type-options')).toBe('nosniff');
    expect(headerOf(r.text, 'cache-control')).toBe('no-store');
  });
});
