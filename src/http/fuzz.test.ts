/**
 * @module
 * Property-based tests (fast-check) over real sockets, bounded so the suite stays fast:
 * - any query string gets the fixed 400 or `WxOrderCb(` + JSON + `)`, one of the constant refusal
 *   bodies, so none of the caller's bytes;
 * - any push body gets a 2xx or 4xx with a JSON body, and the server stays up.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiErrorBody, ApiErrors } from '../api/api-errors.js';
import { BAD_CALLBACK_BODY } from '../gateway/answer-query.js';
import { errorBodies } from '../protocol/order-info.js';
import { gatewayFixture, type GatewayFixture } from '../testing/gateway-fixture.js';
import { bodyOf, exchange, listenLocal } from '../testing/raw-http.js';
import { apiHarness, wireEvent, type ApiHarness } from './v1/testing/api-harness.js';

const LIMITS = { requestTimeoutMs: 5000, idleTimeoutMs: 5000, maxConnections: 1024, rateLimitPerMinute: 0 };
const MARK = 'Qz8fuzzMark';

describe('any query string', () => {
  let fx: GatewayFixture;
  let port: number;
  beforeAll(async () => {
    fx = await gatewayFixture({ limits: LIMITS });
    port = await listenLocal(fx.app);
  });
  afterAll(() => fx.close());

  const allowed = new Set<string>([
    ...[...errorBodies('WxOrderCb').values()],
    BAD_CALLBACK_BODY,
    JSON.stringify(apiErrorBody(ApiErrors.BAD_REQUEST)),
    JSON.stringify(apiErrorBody(ApiErrors.NOT_FOUND)),
  ]);
  const key = fc.constantFrom(
    'orderid',
    'openid',
    'signature',
    'timestamp',
    'nonce',
    'callback',
    'company_id',
    MARK,
    '',
  );
  const value = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('WxOrderCb', 'YT1234567890123', String(Math.floor(Date.now() / 1000)), MARK, '<script>'),
    fc.string({ unit: 'grapheme', maxLength: 20 }).map((s) => s + MARK),
  );
  const pair = fc.tuple(key, value, fc.boolean()).map(([k, v, encode]) => {
    const text = encode ? encodeURIComponent(v) : v;
    return `${k}=${text}`;
  });
  const query = fc.oneof(
    fc.array(pair, { maxLength: 10 }).map((pairs) => pairs.join('&')),
    fc.string({ unit: 'binary', maxLength: 200 }),
  );

  it('is answered with a constant body, never with the caller bytes', async () => {
    await fc.assert(
      fc.asyncProperty(query, async (q) => {
        const r = await exchange(
          port,
          Buffer.from(`GET /wechat/track?${q} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`, 'utf8'),
        );
        expect([200, 400]).toContain(r.status);
        const body = Buffer.from(bodyOf(r.text), 'latin1').toString('utf8');
        expect(allowed.has(body)).toBe(true);
        if (r.status === 200) expect(body).toMatch(/^WxOrderCb\(\{.*\}\)$/);
        expect(r.text).not.toContain(MARK);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});

describe('any push body', () => {
  let h: ApiHarness;
  let port: number;
  beforeAll(async () => {
    h = await apiHarness({ limits: LIMITS });
    port = await listenLocal(h.app);
  });
  afterAll(() => h.close());

  const send = (type: string, body: Buffer) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/events',
        headers: { authorization: h.auth, 'content-type': type, connection: 'close' },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end(body);
    });

  const event = fc
    .record({
      waybill: fc.oneof(fc.constant('YT1234567890123'), fc.string()),
      event_id: fc.string({ maxLength: 12 }),
      status: fc.oneof(fc.integer({ min: -2, max: 9 }), fc.string()),
      time: fc.oneof(fc.constant('2026-07-04T20:47:03+08:00'), fc.string(), fc.integer()),
      description: fc.string(),
    })
    .map((e) => ({ ...wireEvent(), ...e }));
  const body = fc.oneof(
    fc.json().map((j) => Buffer.from(j)),
    fc.array(fc.oneof(event, fc.jsonValue()), { maxLength: 20 }).map((a) => Buffer.from(JSON.stringify(a))),
    fc
      .array(
        fc.oneof(
          event.map((e) => JSON.stringify(e)),
          fc.string(),
        ),
        { maxLength: 20 },
      )
      .map((lines) => Buffer.from(lines.join('\n'))),
    fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)),
  );
  const type = fc.constantFrom(
    'application/json',
    'application/x-ndjson',
    'application/json; charset=utf-8',
    'text/plain',
    'application/octet-stream',
    'multipart/form-data; boundary=x',
  );

  it('gets a 2xx or 4xx with a JSON body, and the server stays up', async () => {
    await fc.assert(
      fc.asyncProperty(type, body, async (t, b) => {
        const r = await send(t, b);
        expect(r.status).toBeGreaterThanOrEqual(200);
        expect(r.status).toBeLessThan(500);
        expect(r.status < 300 || r.status >= 400).toBe(true);
        expect(() => JSON.parse(r.text) as unknown).not.toThrow();
      }),
      { numRuns: 100 },
    );
    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  }, 60_000);
});
