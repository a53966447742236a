import { describe, expect, it } from 'vitest';
import {
  CELL_KEY_MAX,
  CELL_VALUE_MAX,
  cellProblem,
  codePoints,
  serializeOrderInfo,
  type Cell,
  type OrderInfo,
} from './order-info.js';

describe('codePoints', () => {
  it.each([
    ['', 0, 0],
    ['wxpay', 5, 5],
    ['已支付', 3, 3],
    ['📦', 1, 2],
    ['a📦b', 3, 4],
    ['𠀀𠀁', 2, 4], // CJK Extension B: astral, two UTF-16 units each
    ['👍🏽', 2, 4], // emoji + skin-tone modifier: two code points, one glyph
    ['e\u0301', 2, 2], // e + combining acute accent
  ])('counts %j as %i code points (UTF-16 length %i)', (text, points, units) => {
    expect(text.length).toBe(units);
    expect(codePoints(text)).toBe(points);
  });

  it('counts a lone surrogate as one', () => {
    expect(codePoints('\ud83d')).toBe(1);
    expect(codePoints('a\udc00b')).toBe(3);
    expect(codePoints('\ud83dx')).toBe(2); // high surrogate followed by a plain character
    expect(codePoints('\udce6\ud83d')).toBe(2); // a pair in the wrong order is two
    expect(codePoints('\ud83d\ud83d\udce6')).toBe(2); // lone high, then a real pair
    expect(codePoints('\udc00\udc00')).toBe(2); // two low surrogates are not a pair
  });

  it('pairs every high surrogate (D800–DBFF) with every low one (DC00–DFFF), and nothing else', () => {
    expect(codePoints('\ud800\udc00')).toBe(1); // the first pair: U+10000
    expect(codePoints('\udbff\udfff')).toBe(1); // the last pair: U+10FFFF
    expect(codePoints('\ud7ff\udc00')).toBe(2); // below the high range
    expect(codePoints('\udc00\udc00')).toBe(2); // a low one first
    expect(codePoints('\ud83d\udbff')).toBe(2); // high, then high
    expect(codePoints('\ud83d\ue000')).toBe(2); // high, then past the low range
  });
});

describe('cellProblem', () => {
  it('has the spec limits: key 20, value 10', () => {
    expect(CELL_KEY_MAX).toBe(20);
    expect(CELL_VALUE_MAX).toBe(10);
  });

  it('accepts a cell within the limits, with or without status', () => {
    expect(cellProblem({ key: 'wxpay', value: '已支付' })).toBeUndefined();
    expect(cellProblem({ key: 'wxpay', value: '已支付', status: 'pages/index/index' })).toBeUndefined();
  });

  it('accepts a key of exactly 20 and rejects 21, counted in code points', () => {
    expect(cellProblem({ key: 'k'.repeat(20), value: 'v' })).toBeUndefined();
    expect(cellProblem({ key: 'k'.repeat(21), value: 'v' })).toBe('key: 21 characters, at most 20');
    expect(cellProblem({ key: '键'.repeat(20), value: 'v' })).toBeUndefined();
    expect(cellProblem({ key: '键'.repeat(21), value: 'v' })).toBe('key: 21 characters, at most 20');
  });

  it('counts an astral key character once, not as two UTF-16 units', () => {
    const key = '🚚'.repeat(20);
    expect(key.length).toBe(40);
    expect(cellProblem({ key, value: 'v' })).toBeUndefined();
    expect(cellProblem({ key: key + 'x', value: 'v' })).toBe('key: 21 characters, at most 20');
    // 11 emoji are 22 UTF-16 units but only 11 characters: fine as a key.
    expect(cellProblem({ key: '🚚'.repeat(11), value: 'v' })).toBeUndefined();
  });

  it('accepts a value of exactly 10 and rejects 11, counted in code points', () => {
    expect(cellProblem({ key: 'k', value: 'v'.repeat(10) })).toBeUndefined();
    expect(cellProblem({ key: 'k', value: 'v'.repeat(11) })).toBe('value: 11 characters, at most 10');
    expect(cellProblem({ key: 'k', value: '付'.repeat(10) })).toBeUndefined();
    expect(cellProblem({ key: 'k', value: '付'.repeat(11) })).toBe('value: 11 characters, at most 10');
  });

  it('counts an astral value character once, not as two UTF-16 units', () => {
    expect(cellProblem({ key: 'k', value: '😀'.repeat(10) })).toBeUndefined();
    expect(cellProblem({ key: 'k', value: '😀'.repeat(6) })).toBeUndefined(); // 12 UTF-16 units
    expect(cellProblem({ key: 'k', value: '😀'.repeat(12) })).toBe('value: 12 characters, at most 10');
  });

  it('rejects an empty key and accepts an empty value', () => {
    expect(cellProblem({ key: '', value: 'v' })).toBe('key: empty');
    expect(cellProblem({ key: 'k', value: '' })).toBeUndefined();
  });

  it('reports the key before the value when both break the limits', () => {
    expect(cellProblem({ key: 'k'.repeat(25), value: 'v'.repeat(15) })).toBe(
      'key: 25 characters, at most 20',
    );
    expect(cellProblem({ key: '', value: 'v'.repeat(15) })).toBe('key: empty');
  });

  it('sets no limit on status (the spec gives none)', () => {
    expect(cellProblem({ key: 'k', value: 'v', status: 's'.repeat(300) })).toBeUndefined();
  });
});

describe('serializeOrderInfo', () => {
  const traces = [
    { accept_time: '2014-12-08 22:55:49', accept_address: '派送中\n虎门中转部', remark: '虎门' },
  ] as const;
  const cells: Cell[] = [{ key: 'wxpay', value: '已支付', status: 'pages/index/index' }];

  it('writes the fields in the order of the spec table', () => {
    // Built in a different order on purpose.
    const info: OrderInfo = {
      cells,
      traces,
      estimated_delivery_time: '2019-09-30',
      order_status: 3,
      err_msg: 'ok',
      err_code: 0,
    };
    expect(serializeOrderInfo(info)).toBe(
      '{"err_code":0,"err_msg":"ok","order_status":3,"estimated_delivery_time":"2019-09-30",' +
        '"traces":[{"accept_time":"2014-12-08 22:55:49","accept_address":"派送中\\n虎门中转部","remark":"虎门"}],' +
        '"cells":[{"key":"wxpay","value":"已支付","status":"pages/index/index"}]}',
    );
  });

  it('omits estimated_delivery_time when it is undefined, keeping the other fields in order', () => {
    const json = serializeOrderInfo({ err_code: 0, err_msg: 'ok', order_status: 4, traces, cells: [] });
    expect(Object.keys(JSON.parse(json) as object)).toEqual([
      'err_code',
      'err_msg',
      'order_status',
      'traces',
      'cells',
    ]);
    expect(json).not.toContain('estimated_delivery_time');

    const explicit = serializeOrderInfo({
      err_code: 0,
      err_msg: 'ok',
      order_status: 4,
      estimated_delivery_time: undefined,
      traces,
      cells: [],
    });
    expect(explicit).toBe(json);
  });

  it('writes empty traces and cells as empty arrays', () => {
    expect(serializeOrderInfo({ err_code: 0, err_msg: 'ok', order_status: 0, traces: [], cells: [] })).toBe(
      '{"err_code":0,"err_msg":"ok","order_status":0,"traces":[],"cells":[]}',
    );
  });

  it('writes only the OrderInfo fields', () => {
    const info = {
      err_code: 0,
      err_msg: 'ok',
      order_status: 1,
      traces: [],
      cells: [],
      secret: 'x',
    } as OrderInfo;
    expect(JSON.parse(serializeOrderInfo(info))).not.toHaveProperty('secret');
  });

  it('omits an undefined cell status', () => {
    const json = serializeOrderInfo({
      err_code: 0,
      err_msg: 'ok',
      order_status: 2,
      traces: [],
      cells: [{ key: 'order', value: '寄快递', status: undefined }],
    });
    expect(json).toContain('"cells":[{"key":"order","value":"寄快递"}]');
  });

  it('is script-safe: <, >, &, U+2028 and U+2029 are escaped, and the JSON still reads back', () => {
    const nasty = '</script><script>alert(1)</script> a&b \u2028 \u2029';
    const info: OrderInfo = {
      err_code: 0,
      err_msg: 'ok',
      order_status: 2,
      estimated_delivery_time: '2026-07-08',
      traces: [{ accept_time: '2026-07-04 20:47:03', accept_address: '运输中\n' + nasty, remark: nasty }],
      cells: [{ key: 'k', value: '<b>', status: 'p?a=1&b=<2>' }],
    };
    const json = serializeOrderInfo(info);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain('\\u003c/script\\u003e');
    expect(json).toContain('a\\u0026b');
    expect(json).toContain('\\u2028');
    expect(json).toContain('\\u2029');
    expect(json).toContain('"status":"p?a=1\\u0026b=\\u003c2\\u003e"');
    expect(JSON.parse(json)).toEqual(info);
  });

  it('leaves CJK and emoji as they are', () => {
    const json = serializeOrderInfo({
      err_code: 0,
      err_msg: 'ok',
      order_status: 2,
      traces: [{ accept_time: '2026-07-04 20:47:03', accept_address: '运输中\n📦 已发出', remark: '贵阳' }],
      cells: [],
    });
    expect(json).toContain('"accept_address":"运输中\\n📦 已发出"');
    expect(json).toContain('"remark":"贵阳"');
  });
});
