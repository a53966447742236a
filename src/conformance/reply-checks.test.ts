import { describe, expect, it } from 'vitest';
import { stringifyForScript } from '../protocol/jsonp.js';
import type { CheckId } from './check-result.js';
import { replyChecks, type RawReply } from './reply-checks.js';
import { readAsWeChatPage } from './wechat-page.js';

const good = {
  err_code: 0,
  err_msg: 'ok',
  order_status: 2,
  estimated_delivery_time: '2026-07-09',
  traces: [
    { accept_time: '2026-07-07 09:00:00', accept_address: '已揽件\n快件已揽收', remark: '杭州' },
    { accept_time: '2026-07-07 18:30:00', accept_address: '运输中\n快件已发出', remark: '杭州' },
  ],
  cells: [{ key: 'wxpay', value: '去支付', status: 'state=unpaid' }],
};
const reply = (info: unknown, over: Partial<RawReply> = {}): RawReply => ({
  status: 200,
  contentType: 'text/javascript; charset=utf-8',
  body: 'WxOrderCb(' + stringifyForScript(info) + ')',
  ...over,
});
const failed = (r: RawReply): CheckId[] =>
  replyChecks(r, 'X1')
    .filter((c) => c.outcome === 'fail')
    .map((c) => c.id);

describe('reply checks', () => {
  it('pass a reply as the spec describes it', () => {
    expect(replyChecks(reply(good), 'X1').every((c) => c.outcome === 'pass')).toBe(true);
  });

  it('read the body as WeChat’s page does', () => {
    expect(readAsWeChatPage('WxOrderCb({"a":1})\n')).toEqual({ ok: true, value: { a: 1 } });
    expect(readAsWeChatPage('/**/WxOrderCb({"a":1})')).toMatchObject({ ok: false });
    expect(readAsWeChatPage('WxOrderCb({"a":1});')).toMatchObject({ ok: false });
    expect(readAsWeChatPage('WxOrderCb({"a":1)')).toMatchObject({ ok: false });
  });

  it('name each fault by one check', () => {
    expect(failed(reply(good, { status: 500 }))).toEqual(['http-status']);
    expect(failed(reply(good, { contentType: 'application/json' }))).toEqual(['content-type']);
    expect(failed(reply(good, { contentType: 'text/javascript' }))).toEqual(['content-type']);
    expect(failed(reply({ ...good, order_status: 7 }))).toEqual(['order-status']);
    expect(failed(reply({ ...good, extra: 1 }))).toEqual(['body-shape']);
    expect(failed(reply({ ...good, err_msg: 'OK' }))).toEqual(['err-code']);
    expect(failed(reply({ ...good, estimated_delivery_time: '2026-7-9' }))).toEqual(['eta']);
    expect(failed(reply({ ...good, order_status: 6 }))).toEqual(['eta']);
    const signed: Record<string, unknown> = { ...good, order_status: 4 };
    delete signed.estimated_delivery_time;
    expect(failed(reply(signed))).toEqual([]);
    const traces = (t: object[]) => reply({ ...good, traces: t });
    expect(failed(traces([{ ...good.traces[0], accept_address: '快件已揽收' }]))).toEqual(['accept-address']);
    expect(failed(traces([{ ...good.traces[0], accept_time: '2026-07-07T09:00:00' }]))).toEqual([
      'accept-time',
    ]);
    const [a, b] = good.traces;
    expect(failed(traces([b!, a!]))).toEqual([]);
    expect(failed(traces([a!, b!, a!]))).toEqual(['trace-order']);
    expect(failed(reply({ ...good, cells: [{ key: 'k'.repeat(21), value: 'v' }] }))).toEqual(['cell-length']);
    expect(failed(reply({ ...good, cells: [{ key: 'k', value: '一二三四五六七八九十' }] }))).toEqual([]);
  });

  it('find raw script breakers, and skip the field checks when the body cannot be read', () => {
    const raw = { ...good, traces: [{ ...good.traces[0], remark: 'a</SCRIPT>b\u2029' }] };
    expect(failed(reply(raw, { body: 'WxOrderCb(' + JSON.stringify(raw) + ')' }))).toEqual(['script-escape']);
    const results = replyChecks(reply(good, { body: '<html>502</html>' }), 'X1');
    expect(results.find((c) => c.id === 'body-shape')).toMatchObject({ outcome: 'fail' });
    expect(results.find((c) => c.id === 'eta')).toMatchObject({ outcome: 'skip' });
  });

  it('never put a raw body into a detail', () => {
    const results = replyChecks(reply(good, { body: '<script>alert(1)</script>' }), 'X1');
    for (const r of results) expect(r.detail).not.toMatch(/<script>alert/);
  });
});
