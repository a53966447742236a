/**
 * @module
 * Slow and idle clients over real sockets: the request and idle timeouts drop them within
 * seconds (here set to 1 s to keep the suite fast), and the connection cap keeps a normal client
 * served while slow ones crowd the server. `inject()` has no socket, so none of this shows there.
 */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LimitsConfig } from '../config/gateway-config.js';
import { gatewayFixture, type GatewayFixture } from '../testing/gateway-fixture.js';
import { bodyOf, collect, exchange, headerOf, listenLocal, open } from '../testing/raw-http.js';
import { apiHarness, type ApiHarness } from './v1/testing/api-harness.js';

const FAST: LimitsConfig = {
  requestTimeoutMs: 1000,
  idleTimeoutMs: 1000,
  maxConnections: 1024,
  rateLimitPerMinute: 0,
};

const opened: Socket[] = [];
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) s.destroy();
  for (const c of closers.splice(0)) await c();
});

async function gateway(limits: LimitsConfig): Promise<{ fx: GatewayFixture; port: number }> {
  const fx = await gatewayFixture({ limits });
  closers.push(() => fx.close());
  return { fx, port: await listenLocal(fx.app) };
}

async function api(limits: LimitsConfig): Promise<{ h: ApiHarness; port: number }> {
  const h = await apiHarness({ limits });
  closers.push(() => h.close());
  return { h, port: await listenLocal(h.app) };
}

describe('slow clients are dropped', () => {
  it('answers a request head that never ends with a fixed 408, then closes', async () => {
    const { port } = await gateway(FAST);
    const r = await exchange(port, 'GET /healthz?x=<script> HTTP/1.1\r\nHost: x\r\n', 5000);
    expect(r.closedByServer).toBe(true);
    expect(r.status).toBe(408);
    expect(JSON.parse(bodyOf(r.text))).toMatchObject({ code: 'WXT_REQUEST_TIMEOUT' });
    expect(headerOf(r.text, 'x-content-type-options')).toBe('nosniff');
    expect(r.text).not.toContain('script');
  });

  it('closes a request that announces a body and never sends it', async () => {
    const { h, port } = await api(FAST);
    const r = await exchange(
      port,
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${h.auth}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 1000000\r\n\r\n[',
      5000,
    );
    expect(r.closedByServer).toBe(true);
    // With both bounds at 1 s, whichever fires first closes it: the idle timeout closes the socket
    // with no reply (its handler is waiting on the body), the request timeout sends the fixed 408.
    if (r.text !== '') {
      expect(r.status).toBe(408);
      expect(JSON.parse(bodyOf(r.text))).toMatchObject({ code: 'WXT_REQUEST_TIMEOUT' });
    }
  });

  it('closes a push body trickled a byte at a time', async () => {
    const { h, port } = await api(FAST);
    const socket = await open(port);
    opened.push(socket);
    const result = collect(socket, 6000);
    socket.write(
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${h.auth}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n',
    );
    // One byte every 200 ms: never idle, never done. Bounded: 30 bytes at most.
    let sent = 0;
    const trickle = setInterval(() => {
      if (socket.destroyed || ++sent > 30) clearInterval(trickle);
      else socket.write(' ');
    }, 200);
    const r = await result;
    clearInterval(trickle);
    expect(r.closedByServer).toBe(true);
    expect(r.status).toBe(408);
    expect(sent).toBeLessThan(30);
  });

  it('closes a connection that sends nothing', async () => {
    const { port } = await gateway(FAST);
    const r = await exchange(port, '', 5000);
    expect(r.closedByServer).toBe(true);
  });

  it('closes an idle keep-alive connection after its request', async () => {
    const { port } = await gateway(FAST);
    const r = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', 5000);
    expect(r.status).toBe(200);
    expect(r.closedByServer).toBe(true);
  });
});

describe('the connection cap', () => {
  it('makes room for a normal client by closing the oldest connection that sent no request', async () => {
    const { port } = await gateway({
      ...FAST,
      requestTimeoutMs: 60_000,
      idleTimeoutMs: 60_000,
      maxConnections: 20,
    });
    const slow: Socket[] = [];
    for (let i = 0; i < 40; i++) {
      const s = await open(port);
      s.on('error', () => {});
      s.write('GET /healthz HTTP/1.1\r\n'); // a head that never ends
      slow.push(s);
    }
    opened.push(...slow);
    const r = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(r.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const stillOpen = slow.filter((s) => !s.destroyed && !s.readableEnded).length;
    expect(stillOpen).toBeLessThanOrEqual(20);
  });

  it('refuses a newcomer with a fixed 503 when every connection is mid-request', async () => {
    const { h, port } = await api({
      ...FAST,
      requestTimeoutMs: 60_000,
      idleTimeoutMs: 60_000,
      maxConnections: 3,
    });
    for (let i = 0; i < 3; i++) {
      const s = await open(port);
      s.on('error', () => {});
      opened.push(s);
      // A push whose body is still coming: busy, not idle.
      s.write(
        `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${h.auth}\r\n` +
          'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n[',
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    const r = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(r.status).toBe(503);
    expect(JSON.parse(bodyOf(r.text))).toMatchObject({ code: 'WXT_TOO_MANY_CONNECTIONS' });
  });

  it('answers a normal client while 300 slow connections are open', async () => {
    const { fx, port } = await gateway({ ...FAST, requestTimeoutMs: 60_000, idleTimeoutMs: 60_000 });
    for (let i = 0; i < 300; i++) {
      const s = await open(port);
      s.on('error', () => {});
      s.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      opened.push(s);
    }
    for (let i = 0; i < 5; i++) {
      const r = await exchange(
        port,
        `GET ${fx.signed('YT1234567890123')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
      );
      expect(r.status).toBe(200);
      expect(bodyOf(r.text)).toMatch(/^WxOrderCb\(/);
    }
  });
});
