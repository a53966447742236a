import { describe, expect, it } from 'vitest';
import { compileWaybillPattern, type Carrier } from './carrier.js';
import { cellsSheet } from './cells-sheet.js';
import { displayWidth, pipeTable } from './text-table.js';

const carrier: Carrier = {
  id: 'YTO',
  name: '圆通速递',
  tokens: ['t'],
  waybillPattern: 'YT\\d{13}',
  waybillMatcher: compileWaybillPattern('YT\\d{13}'),
  timezone: 'Asia/Shanghai',
  phone: '95554',
  cells: [
    { key: 'wxpay', name: '支付运单', link: 'pages/pay/index' },
    { key: 'service', name: 'Contact us', link: 'https://m.yto.example/service' },
  ],
};

describe('cellsSheet', () => {
  it('prints the Key / Name / Link table, aligned for CJK in a monospaced font', () => {
    expect(cellsSheet(carrier)).toBe(
      '圆通速递 (company_id YTO) - 落地页Cell信息 / cell registration\n' +
        '运力客服电话 / customer service: 95554\n' +
        '\n' +
        '| Key     | Name       | Link                          |\n' +
        '| ------- | ---------- | ----------------------------- |\n' +
        '| wxpay   | 支付运单   | pages/pay/index               |\n' +
        '| service | Contact us | https://m.yto.example/service |\n',
    );
  });

  it('says so when no cell is registered', () => {
    expect(cellsSheet({ ...carrier, cells: [] })).toMatch(/No cells registered/);
  });
});

describe('displayWidth and pipeTable', () => {
  it('counts wide characters as two columns', () => {
    expect(displayWidth('支付')).toBe(4);
    expect(displayWidth('ab')).toBe(2);
    expect(pipeTable(['A'], [['中']])).toBe('| A  |\n| -- |\n| 中 |\n');
  });
});
