import { describe, expect, it } from 'vitest';
import { stringifyForScript } from '../protocol/jsonp.js';
import { replyChecks } from './reply-checks.js';

const withTraces = (traces: object[]) => ({
  status: 200,
  contentType: 'text/javascript; charset=utf-8',
  body:
    'WxOrderCb(' +
    stringifyForScript({ err_code: 0, err_msg: 'ok', order_status: 4, traces, cells: [] }) +
    ')',
});

describe("the conformance checker's report", () => {
  it('never holds a customer phone, name or pickup code from a trace it quotes, even unmasked ones', () => {
    const address = '签收人：张三，电话13812345678，取件码8-3-2011';
    const checks = replyChecks(
      withTraces([
        { accept_time: '2026-07-07 09:00:00', accept_address: address, remark: '杭州' },
        { accept_time: '2026-07-07 10:00:00', accept_address: '收件人李四\n已签收', remark: '' },
      ]),
      'X1',
    );
    const report = JSON.stringify(checks);
    expect(checks.find((c) => c.id === 'accept-address')?.outcome).toBe('fail');
    expect(report).toContain('138******78');
    for (const value of ['13812345678', '张三', '8-3-2011', '李四']) expect(report).not.toContain(value);
  });
});
