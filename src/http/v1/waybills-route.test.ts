import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiHarness, wireEvent, type ApiHarness } from './testing/api-harness.js';
import { replyOf } from '../../testing/render-reply.js';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(() => h.close());

const W = 'YT1234567890123';
const req = (method: 'GET' | 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown, headers = {}) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: h.auth, ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

describe('GET /v1/waybills/:waybill', () => {
  it('shows what WeChat would see, the raw events and their ingest times, as plain JSON without CORS', async () => {
    await req('POST', '/v1/events', [wireEvent({ event_id: 'a', eta: '2026-07-08' })]);
    h.clock.advance(60_000);
    await req('POST', '/v1/events', [
      wireEvent({ event_id: 'b', status: 3, time: '2026-07-05T08:00:00+08:00' }),
    ]);
    const res = await req('GET', `/v1/waybills/${W}`, undefined, { origin: 'https://evil.example' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(Object.keys(res.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
    const body = res.json();
    expect(body.wechat).toEqual(JSON.parse(String((await replyOf(h.store, 'default', W))!.json)));
    expect(body.wechat).toMatchObject({
      err_code: 0,
      order_status: 3,
      estimated_delivery_time: '2026-07-08',
    });
    expect(
      body.events.map((e: { event_id: string; ingested_at: string }) => [e.event_id, e.ingested_at]),
    ).toEqual([
      ['a', new Date(h.clock.now() - 60_000).toISOString()],
      ['b', new Date(h.clock.now()).toISOString()],
    ]);
    expect(body.events[0]).toMatchObject({
      time: '2026-07-04T12:47:03.000Z',
      status: 2,
      label: '运输中',
      eta: '2026-07-08',
    });
    expect(body.attributes).toEqual({ eta: null, cells: null, destination: null });
  });

  it('answers 404 for an unknown waybill and 400 for a malformed one', async () => {
    expect((await req('GET', '/v1/waybills/NOPE123')).json()).toMatchObject({
      statusCode: 404,
      code: 'WXT_WAYBILL_NOT_FOUND',
    });
    expect((await req('GET', `/v1/waybills/${'A'.repeat(65)}`)).json().code).toBe('WXT_BAD_WAYBILL');
  });

  it('answers a CORS preflight with no CORS headers', async () => {
    const res = await h.app.inject({
      method: 'OPTIONS',
      url: `/v1/waybills/${W}`,
      headers: { origin: 'https://x.example' },
    });
    expect(Object.keys(res.headers).filter((k) => k.startsWith('access-control-'))).toEqual([]);
  });
});

describe('PUT /v1/waybills/:waybill', () => {
  it('sets eta, cells and destination without a scan and re-renders the reply', async () => {
    const cells = [{ key: 'wxpay', value: '去支付', status: 'state=unpaid' }];
    const res = await req('PUT', `/v1/waybills/${W}`, { eta: '2026-08-01', cells, destination: '贵州遵义' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      attributes: { eta: '2026-08-01', cells, destination: '贵州遵义' },
      wechat: { order_status: 0, estimated_delivery_time: '2026-08-01', cells, traces: [] },
      events: [],
      last_event_at: null,
    });
    await req('POST', '/v1/events', [wireEvent({ eta: '2026-07-09' })]);
    const reply = JSON.parse(String((await replyOf(h.store, 'default', W))!.json));
    expect(reply).toMatchObject({ order_status: 2, estimated_delivery_time: '2026-08-01', cells });
  });

  it('keeps fields left out and clears fields set to null', async () => {
    await req('PUT', `/v1/waybills/${W}`, { eta: '2026-08-01', destination: '贵阳' });
    const res = await req('PUT', `/v1/waybills/${W}`, { eta: null });
    expect(res.json().attributes).toEqual({ eta: null, cells: null, destination: '贵阳' });
    expect(res.json().wechat.estimated_delivery_time).toBeUndefined();
  });

  it('answers 400 naming the field for bad attributes, and changes nothing', async () => {
    for (const [body, detail] of [
      [{ eta: '2026-02-30' }, 'eta'],
      [{ cells: [{ key: 'k', value: '这是一个太长的提示语句啊' }] }, 'cells[0].value'],
      [{ destination: '' }, 'destination'],
      [{ status: 4 }, 'unknown field(s) status'],
      [{}, 'at least one'],
      [[1], 'JSON object'],
    ] as const) {
      const res = await req('PUT', `/v1/waybills/${W}`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().code).toBe('WXT_BAD_ATTRIBUTES');
      expect(res.json().message).toContain(detail);
    }
    expect(await h.store.readWaybill('default', W)).toBeUndefined();
  });
});

describe('DELETE /v1/waybills/:waybill', () => {
  it('erases the waybill and its events, so no reply is left to serve', async () => {
    await req('POST', '/v1/events', [wireEvent({ event_id: 'a' }), wireEvent({ event_id: 'b', status: 3 })]);
    await req('POST', '/v1/events', [wireEvent({ event_id: 'other', waybill: 'YT9999999999999' })]);
    const res = await req('DELETE', `/v1/waybills/${W}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ erased: { waybills: 1, events: 2 } });
    expect(await replyOf(h.store, 'default', W)).toBeUndefined();
    expect((await req('GET', `/v1/waybills/${W}`)).statusCode).toBe(404);
    expect(await replyOf(h.store, 'default', 'YT9999999999999')).toBeDefined();
    expect((await req('DELETE', `/v1/waybills/${W}`)).statusCode).toBe(404);
  });
});
