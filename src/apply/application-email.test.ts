import { describe, expect, it } from 'vitest';
import { compileWaybillPattern, type Carrier } from '../carrier/carrier.js';
import type { CheckReport } from '../conformance/check-result.js';
import { renderMarkdown } from '../conformance/report-render.js';
import { applicationEmail, APPLICATION_ADDRESS } from './application-email.js';

const complete: Carrier = {
  id: 'YTO',
  name: '圆通速递',
  tokens: ['t0ken'],
  waybillPattern: 'YT\\d{13}',
  waybillMatcher: compileWaybillPattern('YT\\d{13}'),
  timezone: 'Asia/Shanghai',
  phone: '95554',
  cells: [{ key: 'wxpay', name: '支付运单', link: 'pages/pay/index' }],
  testWaybills: new Set(['YT0000000000001']),
  application: {
    features: '轨迹查询、支付运单',
    miniProgramAppId: 'wx0123456789abcdef',
    productionUrl: 'https://track.yto.example/wechat/track',
    testUrl: 'https://test.yto.example/wechat/track',
    jumpAppId: 'wx0123456789abcdef',
    jumpPath: 'pages/index/index',
  },
};
const report = (endpoint: string, passed: boolean): string => {
  const r: CheckReport = {
    endpoint,
    orderids: ['YT0000000000001'],
    startedAt: '2026-07-08T04:00:00.000Z',
    results: [{ id: 'http-status', outcome: passed ? 'pass' : 'fail', detail: 'HTTP 200' }],
    passed,
  };
  return renderMarkdown(r);
};

describe('the application email', () => {
  it('states every field the spec asks for, from the configuration', () => {
    const email = applicationEmail({
      carrier: complete,
      at: 'carriers[0]',
      checkReport: report('https://test.yto.example/wechat/track', true),
    });
    expect(email.to).toBe(APPLICATION_ADDRESS);
    expect(email.subject).toBe('圆通速递 - 扫一扫快递接入申请');
    expect(email.missing).toEqual([]);
    for (const text of [
      '计划实现的功能 (features planned): 轨迹查询、支付运单',
      '运力小程序的appid (mini-program appid, WeChat-certified): wx0123456789abcdef',
      '正式服务器地址 (production server URL): https://track.yto.example/wechat/track',
      '测试服务器地址 (test server URL): https://test.yto.example/wechat/track',
      '运单正则表达式 (waybill regex): YT\\d{13}',
      '运力名称 (company name): 圆通速递',
      '运力客服电话 (customer-service phone): 95554',
      'appid wx0123456789abcdef, path pages/index/index',
      'Key: wxpay | Name: 支付运单 | Link: pages/pay/index',
      '《营业执照》、《快递业务经营许可证》',
      '# wxtrack check 接口自检报告',
    ]) {
      expect(email.body).toContain(text);
    }
  });

  it('names each missing field with where to set it, and marks it in the body', () => {
    const email = applicationEmail({
      carrier: { ...complete, application: undefined, phone: undefined, cells: undefined },
      at: 'carriers[1]',
    });
    expect(email.missing).toEqual([
      'custom cells 自定义cell: add carriers[1].cells (key, name, link), or say none are wanted',
      'features 计划实现的功能: set carriers[1].application.features',
      'mini-program appid 运力小程序appid: set carriers[1].application.miniProgramAppId',
      'production URL 正式服务器地址: set carriers[1].application.productionUrl',
      'test URL 测试服务器地址: set carriers[1].application.testUrl',
      'customer-service phone 运力客服电话: set carriers[1].phone',
      'jump appid 跳转小程序appid: set carriers[1].application.jumpAppId',
      'jump path 跳转小程序path: set carriers[1].application.jumpPath',
      'check report: run wxtrack check --report FILE against the test URL and pass --check-report FILE',
    ]);
    expect(email.body).toContain('【待补充 to fill in: carriers[1].application.miniProgramAppId】');
  });

  it('judges the attached report: wxtrack’s, passing, and for a configured URL', () => {
    const at = 'carriers[0]';
    const failing = applicationEmail({
      carrier: complete,
      at,
      checkReport: report('https://test.yto.example/wechat/track', false),
    });
    expect(failing.missing).toEqual([
      'check report: it shows failed checks; fix them and run wxtrack check again',
    ]);
    const elsewhere = applicationEmail({
      carrier: complete,
      at,
      checkReport: report('http://127.0.0.1:8787/wechat/track', true),
    });
    expect(elsewhere.missing).toEqual([
      'check report: it checked another endpoint than the production or test URL',
    ]);
    const other = applicationEmail({ carrier: complete, at, checkReport: 'hello' });
    expect(other.missing).toEqual([
      'check report: the file is not a report written by wxtrack check --report',
    ]);
    expect(other.body).not.toContain('hello');
  });
});
