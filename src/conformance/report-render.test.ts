import { describe, expect, it } from 'vitest';
import type { CheckReport } from './check-result.js';
import { renderJson, renderMarkdown, renderText } from './report-render.js';

const report: CheckReport = {
  endpoint: 'https://track.example.com/wechat/track',
  orderids: ['YT1'],
  startedAt: '2026-07-08T04:00:00.000Z',
  results: [
    { id: 'http-status', outcome: 'pass', detail: 'HTTP 200', orderid: 'YT1' },
    { id: 'cell-length', outcome: 'fail', detail: 'cell "a|b<i>": key 21', orderid: 'YT1' },
    { id: 'replay-orderid', outcome: 'skip', detail: 'give a second --orderid' },
    { id: 'trace-order', outcome: 'warn', detail: 'newest first', orderid: 'YT1' },
  ],
  load: {
    connections: 4,
    seconds: 5,
    requests: 100,
    errors: 0,
    errorRate: 0,
    p50Ms: 1.5,
    p99Ms: 4,
    requestsPerSecond: 20,
    capped: false,
    byCode: { '0': 98, '42901': 2 },
  },
  passed: false,
};

describe('check report rendering', () => {
  it('prints a table in English and 中文 with the counts and verdict', () => {
    const text = renderText(report);
    expect(text).toContain('cell-length [YT1]');
    expect(text).toContain('FAIL 失败');
    expect(text).toContain('Cell key ≤ 20 and value ≤ 10 characters / Cell key 不超过 20 字符');
    expect(text).toContain('WARN 注意');
    expect(text).toContain('1 passed, 1 warned, 1 failed, 1 skipped');
    expect(text).toContain('Not ready. 尚未就绪。');
  });

  it('writes Markdown whose table cells cannot be broken or made live by a detail', () => {
    const md = renderMarkdown(report);
    expect(md).toContain('**FAIL 未通过**');
    expect(md).toContain('| 4 | 100 | 20 | 1.5 ms | 4 ms | 0.00% |');
    expect(md).toContain('Replies by code 按错误码统计: `0` × 98, `42901` × 2');
    const row = md.split('\n').find((l) => l.includes('cell-length'))!;
    expect(row).toContain('a\\|b&lt;i>');
    // Three columns: the escaped pipe does not open a fourth.
    expect(row.replace(/\\\|/g, '').split('|').length).toBe(5);
  });

  it('says a run with warnings and no failure is ready, and to read the warnings', () => {
    const warned: CheckReport = {
      ...report,
      results: report.results.filter((r) => r.outcome !== 'fail'),
      passed: true,
    };
    expect(renderText(warned)).toContain('Ready for review; read the warnings.');
  });

  it('writes the same results as JSON', () => {
    expect(JSON.parse(renderJson(report))).toEqual(report);
  });
});
