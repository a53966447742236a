import { afterEach, describe, expect, it } from 'vitest';
import { fixtureCarrier } from '../../testing/gateway-fixture.js';
import { apiHarness, type ApiHarness } from './testing/api-harness.js';
import { replyOf } from '../../testing/render-reply.js';

// A carrier 'default' (the harness's API key writes for it) that registered one cell.
const carrier = {
  ...fixtureCarrier({ id: 'default' }),
  cells: [{ key: 'wxpay', name: '支付运单', link: 'pages/pay/index' }],
};
let h: ApiHarness;
afterEach(() => h?.close());

const scan = (cellKey: string) => ({
  waybill: 'YT1234567890123',
  event_id: 'e-' + cellKey,
  time: '2026-07-04T20:47:03+08:00',
  status: 2,
  description: '运输中',
  cells: [{ key: cellKey, value: '去支付' }],
});

describe('waybill pattern on the /v1 API', () => {
  it('rejects, as unservable and with the reason, an event whose waybill the pattern does not match', async () => {
    h = await apiHarness({ carriers: [carrier] });
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: h.auth },
      payload: [scan('wxpay'), { ...scan('wxpay'), event_id: 'zzz', waybill: 'ZZZ' }],
    });
    expect(res.statusCode).toBe(207);
    expect((res.json() as { results: unknown[] }).results[1]).toEqual({
      index: 1,
      event_id: 'zzz',
      result: 'rejected',
      code: 'unservable',
      reason:
        "waybill: does not match the carrier's waybill pattern YT\\d{13}, so WeChat would never be shown it",
    });
    expect(await replyOf(h.store, 'default', 'ZZZ')).toBeUndefined();
  });
});

describe('registered cells on the /v1 API', () => {
  it('accepts a pushed event with a registered key, and rejects an unregistered one by name', async () => {
    h = await apiHarness({ carriers: [carrier] });
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: h.auth },
      payload: [scan('wxpay'), scan('lottery')],
    });
    expect(res.statusCode).toBe(207);
    const results = (res.json() as { results: { result: string; reason?: string }[] }).results;
    expect(results[0]!.result).toBe('accepted');
    expect(results[1]!.result).toBe('rejected');
    expect(results[1]!.reason).toContain('lottery');
  });

  it('refuses waybill attributes that name an unregistered cell', async () => {
    h = await apiHarness({ carriers: [carrier] });
    const put = (key: string) =>
      h.app.inject({
        method: 'PUT',
        url: '/v1/waybills/YT1234567890123',
        headers: { authorization: h.auth },
        payload: { cells: [{ key, value: '去支付' }] },
      });
    expect((await put('wxpay')).statusCode).toBe(200);
    const refused = await put('lottery');
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    expect(refused.body).toContain('lottery');
  });
});

describe("a cell status that repeats the cell's registered link", () => {
  it('is stored, and the push reply warns about it by event and in a count', async () => {
    h = await apiHarness({ carriers: [carrier] });
    const withStatus = (id: string, status: string) => ({
      ...scan('wxpay'),
      event_id: id,
      cells: [{ key: 'wxpay', value: '去支付', status }],
    });
    const res = await h.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { authorization: h.auth },
      payload: [withStatus('a', 'pages/pay/index'), withStatus('b', 'state=unpaid')],
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: 0,
      warnings: 1,
      results: [
        {
          index: 0,
          event_id: 'a',
          result: 'accepted',
          warning:
            'cells[0].status repeats the link registered for cell "wxpay" (pages/pay/index); status is a URL parameter appended to that link, e.g. state=unpaid',
        },
        { index: 1, event_id: 'b', result: 'accepted' },
      ],
    });
  });
});
