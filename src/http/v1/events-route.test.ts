import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseJsonpBody } from '../../protocol/jsonp.js';
import { apiHarness, wireEvent, type ApiHarness } from './testing/api-harness.js';
import { replyOf } from '../../testing/render-reply.js';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(() => h.close());

const push = (payload: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { authorization: h.auth, ...headers },
    ...(typeof payload === 'string' ? { payload } : { payload: payload as object }),
  });

const ndjson = (events: unknown[]) => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const orderInfo = async (waybill = 'YT1234567890123') =>
  parseJsonpBody('WxOrderCb(' + (await replyOf(h.store, 'default', waybill))!.json + ')') as Record<
    string,
    unknown
  >;

describe('POST /v1/events', () => {
  it('accepts a JSON array and answers 200 with one result per event', async () => {
    const res = await push([wireEvent({ event_id: 'a' }), wireEvent({ event_id: 'b', status: 3 })]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: 0,
      results: [
        { index: 0, event_id: 'a', result: 'accepted' },
        { index: 1, event_id: 'b', result: 'accepted' },
      ],
    });
    expect((await orderInfo()).order_status).toBe(3);
  });

  it('accepts NDJSON, skipping blank lines and a BOM', async () => {
    const body =
      '\uFEFF' + ndjson([wireEvent({ event_id: 'a' })]) + '\n\n' + ndjson([wireEvent({ event_id: 'b' })]);
    const res = await push(body, { 'content-type': 'application/x-ndjson' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 2, results: [{ index: 0 }, { index: 1 }] });
  });

  it('takes NDJSON with a charset parameter', async () => {
    const res = await push(ndjson([wireEvent()]), { 'content-type': 'application/x-ndjson; charset=utf-8' });
    expect(res.statusCode).toBe(200);
    expect(res.json().accepted).toBe(1);
  });

  it('answers 207 when some events are rejected, storing the good ones', async () => {
    const body = [
      wireEvent({ event_id: 'good1' }),
      wireEvent({ event_id: 'bad', status: 9 }),
      'not an object',
      wireEvent({ event_id: 'coded', status: undefined, code: '派件' }),
      wireEvent({ event_id: 'unknown', status: undefined, code: 'ZZ99' }),
    ];
    const res = await push(body);
    expect(res.statusCode).toBe(207);
    expect(res.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: 3,
      results: [
        { index: 0, event_id: 'good1', result: 'accepted' },
        {
          index: 1,
          event_id: 'bad',
          result: 'rejected',
          code: 'invalid',
          reason: expect.stringMatching(/^status: 9 is not an order status; use an integer from 0 to 6/),
        },
        { index: 2, result: 'rejected', code: 'invalid', reason: 'not a JSON object' },
        { index: 3, event_id: 'coded', result: 'accepted' },
        {
          index: 4,
          event_id: 'unknown',
          result: 'rejected',
          code: 'unknown_code',
          reason: 'code: unknown event code "ZZ99"',
        },
      ],
    });
    const rec = await h.store.readWaybill('default', 'YT1234567890123');
    expect(rec!.events.map((e) => e.eventId).sort()).toEqual(['coded', 'good1']);
    expect(rec!.events.find((e) => e.eventId === 'coded')).toMatchObject({ status: 3, label: '派送中' });
  });

  it('rejects an NDJSON line that is not JSON, by index, and keeps the others', async () => {
    const body =
      JSON.stringify(wireEvent({ event_id: 'a' })) +
      '\n{oops\n' +
      JSON.stringify(wireEvent({ event_id: 'b' }));
    const res = await push(body, { 'content-type': 'application/x-ndjson' });
    expect(res.statusCode).toBe(207);
    expect(res.json().results[1]).toEqual({
      index: 1,
      result: 'rejected',
      code: 'invalid_json',
      reason: 'not valid JSON',
    });
    expect(res.json().accepted).toBe(2);
  });

  it('reports a retried event as a duplicate, and answers 200', async () => {
    await push([wireEvent()]);
    const res = await push([wireEvent({ time: '2026-07-04T12:47:03Z' })]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      accepted: 0,
      duplicates: 1,
      results: [{ index: 0, event_id: 'e1', result: 'duplicate' }],
    });
  });

  it('rejects the same event_id with other content as a conflict and keeps the first version', async () => {
    await push([wireEvent({ description: 'first' })]);
    const res = await push([wireEvent({ description: 'second' })]);
    expect(res.statusCode).toBe(207);
    expect(res.json().results[0]).toMatchObject({ result: 'rejected', code: 'conflict' });
    const rec = await h.store.readWaybill('default', 'YT1234567890123');
    expect(rec!.events.map((e) => e.description)).toEqual(['first']);
  });

  it('leaves exactly one row when concurrent requests carry the same event', async () => {
    const replies = await Promise.all(
      Array.from({ length: 10 }, () => push([wireEvent({ event_id: 'race' })])),
    );
    const results = replies.map((r) => r.json().results[0].result as string);
    expect(results.filter((r) => r === 'accepted')).toHaveLength(1);
    expect(results.filter((r) => r === 'duplicate')).toHaveLength(9);
    expect((await h.store.readWaybill('default', 'YT1234567890123'))!.events).toHaveLength(1);
  });

  it('answers 400 for a JSON body that is not an array, and for broken JSON', async () => {
    const obj = await push(wireEvent());
    expect(obj.statusCode).toBe(400);
    expect(obj.json()).toMatchObject({ code: 'WXT_NOT_AN_ARRAY', statusCode: 400 });
    const broken = await push('[{"waybill":', { 'content-type': 'application/json' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json().code).toBe('WXT_BAD_JSON');
  });

  it('answers 415 for another content type', async () => {
    const res = await push('waybill,event_id', { 'content-type': 'text/csv' });
    expect(res.statusCode).toBe(415);
    expect(res.json().code).toBe('WXT_UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('body limit', () => {
  it('answers 413 with a clear message over the configured limit, for JSON and NDJSON', async () => {
    const small = await apiHarness({ bodyLimitBytes: 2048 });
    try {
      const many = Array.from({ length: 40 }, (_, i) => wireEvent({ event_id: `e${i}` }));
      for (const [payload, type] of [
        [JSON.stringify(many), 'application/json'],
        [ndjson(many), 'application/x-ndjson'],
      ] as const) {
        const res = await small.app.inject({
          method: 'POST',
          url: '/v1/events',
          headers: { authorization: small.auth, 'content-type': type },
          payload,
        });
        expect(res.statusCode).toBe(413);
        expect(res.json()).toEqual({
          statusCode: 413,
          code: 'WXT_BODY_TOO_LARGE',
          error: 'Payload Too Large',
          message: 'request body is larger than the limit: at most 2048 bytes (2 KiB); split the batch',
        });
      }
      expect(await replyOf(small.store, 'default', 'YT1234567890123')).toBeUndefined();
      const ok = await small.app.inject({
        method: 'POST',
        url: '/v1/events',
        headers: { authorization: small.auth },
        payload: [wireEvent()],
      });
      expect(ok.statusCode).toBe(200);
    } finally {
      await small.close();
    }
  });

  it('defaults to 10 MiB', async () => {
    const big = 'x'.repeat(10 * 1024 * 1024 + 1);
    const res = await push(big, { 'content-type': 'application/x-ndjson' });
    expect(res.statusCode).toBe(413);
    expect(res.json().message).toContain('10485760 bytes (10 MiB)');
  });
});

describe('pushed events in WeChat reply', () => {
  it('serves pushed events on the WeChat query route', async () => {
    const { signedQueryUrl } = await import('../../protocol/signed-url.js');
    const { WECHAT_TOKEN } = await import('./testing/api-harness.js');
    await push([
      wireEvent({ event_id: 'a', code: '揽收', status: undefined }),
      wireEvent({ event_id: 'b', time: '2026-07-05T08:00:00+08:00' }),
    ]);
    const url = signedQueryUrl({
      url: 'http://localhost/wechat/track',
      token: WECHAT_TOKEN,
      orderid: 'YT1234567890123',
      openid: 'oUser1',
      timestamp: String(Math.floor(h.clock.now() / 1000)),
      nonce: '12345',
    });
    const res = await h.app.inject({ method: 'GET', url: url.slice('http://localhost'.length) });
    expect(res.statusCode).toBe(200);
    const body = parseJsonpBody(res.body) as { order_status: number; traces: { accept_address: string }[] };
    expect(body.order_status).toBe(2);
    expect(body.traces.map((t) => t.accept_address.split('\n')[0])).toEqual(['已揽件', '运输中']);
  });
});
