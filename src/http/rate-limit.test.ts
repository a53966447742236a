/**
 * @module
 * The track route's per-client budget over real sockets: past it, a query gets the JSONP
 * refusal 42901 (HTTP 200, a constant body), another client address is not affected, and the
 * refusals are logged sampled, the first always.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseJsonpBody } from '../protocol/jsonp.js';
import { gatewayFixture, type GatewayFixture } from '../testing/gateway-fixture.js';
import { bodyOf, collect, headerOf, listenLocal, open } from '../testing/raw-http.js';

let fx: GatewayFixture | undefined;
afterEach(async () => {
  await fx?.close();
  fx = undefined;
});

async function query(port: number, target: string, from?: string) {
  const socket = await open(port, from);
  const result = collect(socket, 5000);
  socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  return result;
}

const LIMITS = { requestTimeoutMs: 10_000, idleTimeoutMs: 10_000, maxConnections: 1024 };

describe('per-client rate limit', () => {
  it('answers past the budget with WxOrderCb 42901, echoing nothing', async () => {
    fx = await gatewayFixture({ limits: { ...LIMITS, rateLimitPerMinute: 3 } });
    const port = await listenLocal(fx.app);
    const codes: number[] = [];
    let last = '';
    for (let i = 0; i < 5; i++) {
      const r = await query(port, fx.signed('YT1234567890123', { nonce: `n${i}<script>` }));
      expect(r.status).toBe(200);
      last = r.text;
      codes.push((parseJsonpBody(bodyOf(r.text)) as { err_code?: number }).err_code ?? 0);
    }
    // The nonce is malformed (40004) until the budget is spent.
    expect(codes).toEqual([40004, 40004, 40004, 42901, 42901]);
    expect(bodyOf(last)).toBe('WxOrderCb({"err_code":42901,"err_msg":"too many queries; retry later"})');
    expect(headerOf(last, 'content-type')).toBe('text/javascript; charset=utf-8');
    expect(headerOf(last, 'x-content-type-options')).toBe('nosniff');
    expect(Number(headerOf(last, 'retry-after'))).toBeGreaterThan(0);
    expect(last).not.toContain('<script>');
  });

  it('keeps one budget per client address', async () => {
    fx = await gatewayFixture({ limits: { ...LIMITS, rateLimitPerMinute: 2 } });
    const port = await listenLocal(fx.app);
    const code = async (from: string) =>
      (
        parseJsonpBody(bodyOf((await query(port, fx!.signed('YT1234567890123'), from)).text)) as {
          err_code: number;
        }
      ).err_code;
    expect([await code('127.0.0.1'), await code('127.0.0.1'), await code('127.0.0.1')]).toEqual([
      40401, 40401, 42901,
    ]);
    expect(await code('127.0.0.2')).toBe(40401);
  });

  it('does not limit the health routes', async () => {
    fx = await gatewayFixture({ limits: { ...LIMITS, rateLimitPerMinute: 1 } });
    const port = await listenLocal(fx.app);
    for (let i = 0; i < 3; i++) expect((await query(port, '/healthz')).status).toBe(200);
  });

  it('is off at 0', async () => {
    fx = await gatewayFixture({ limits: { ...LIMITS, rateLimitPerMinute: 0 } });
    const port = await listenLocal(fx.app);
    for (let i = 0; i < 5; i++) {
      const r = await query(port, fx.signed('YT1234567890123'));
      expect(bodyOf(r.text)).not.toContain('42901');
    }
  });
});

describe('refusal logging', () => {
  it('logs the first refusal of each kind, then a bounded sample, whatever the traffic', async () => {
    fx = await gatewayFixture({ limits: { ...LIMITS, rateLimitPerMinute: 10 } });
    const port = await listenLocal(fx.app);
    for (let i = 0; i < 60; i++) await query(port, fx.signed('YT1234567890123', { token: 'forged-token' }));
    const refused = (code: number) =>
      fx!.logs.filter((l) => l.msg === 'track query refused' && l.code === code);
    // 10 forged (40001), then 50 over the budget (42901); the fixture's clock stands still, so
    // each kind gets one sampling window: 5 lines at most.
    expect(refused(40001)).toHaveLength(5);
    expect(refused(42901)).toHaveLength(5);
    expect(refused(42901)[0]).not.toHaveProperty('suppressed');
  });
});
