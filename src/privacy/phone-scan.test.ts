import { describe, expect, it } from 'vitest';
import { COURIER_WORDS, isCourierContext, maskPhones } from './phone-scan.js';

describe('maskPhones', () => {
  it.each([
    ['收件人电话13812345678无人接听', '收件人电话138******78无人接听'],
    ['请联系13812345678', '请联系138******78'],
    ['13812345678', '138******78'],
    ['电话：138 1234 5678', '电话：138 **** **78'],
    ['电话：138-1234-5678', '电话：138-****-**78'],
    ['虚拟号13800001234-5678', '虚拟号138******34-****'],
    ['虚拟号13800001234转5678', '虚拟号138******34转****'],
    ['虚拟号13800001234#5678', '虚拟号138******34#****'],
    ['+86 138 1234 5678', '+86 138 **** **78'],
    ['8613812345678', '86138******78'],
    ['2026-07-04 13812345678', '2026-07-04 138******78'],
    ['１３８１２３４５６７８', '１３８******７８'],
    ['网点已揽收。13812345678', '网点已揽收。138******78'],
    ['收件人13812345678，派件员13900001111', '收件人138******78，派件员13900001111'],
  ])('masks a customer mobile: %s', (text, masked) => {
    expect(maskPhones(text)).toBe(masked);
  });

  it.each([
    '【杭州西湖营业部】派件员：王五，电话：139 0000 1111，正在派件',
    '快递员李四（13900001111）正在为您派件',
    '如有疑问请联系网点电话13900001111',
    '客服热线13900001111',
    '揽收员13900001111已揽件',
  ])('keeps a courier or outlet phone: %s', (text) => {
    expect(maskPhones(text)).toBe(text);
  });

  it.each([
    '运单号YT1234567890123',
    '运单号1381234567890',
    '网点电话0571-88888888',
    '客服95554',
    '2026-07-04 20:47:03',
    '取件码8-3-2011',
    '138123456789',
  ])('leaves other digit runs alone: %s', (text) => {
    expect(maskPhones(text)).toBe(text);
  });

  it('masks a customer phone named after a courier word in the same clause', () => {
    expect(maskPhones('派件员已联系收件人13812345678')).toBe('派件员已联系收件人138******78');
  });

  it('does not let a courier word in an earlier clause, or far back, vouch for a number', () => {
    expect(maskPhones('派件员王五。13812345678')).toBe('派件员王五。138******78');
    expect(maskPhones('派件员' + '很'.repeat(30) + '13812345678')).toContain('138******78');
  });

  it("uses a carrier's own courier words", () => {
    expect(maskPhones('骑手13900001111')).toBe('骑手139******11');
    expect(maskPhones('骑手13900001111', [...COURIER_WORDS, '骑手'])).toBe('骑手13900001111');
  });

  it('decides by the nearest role word', () => {
    expect(isCourierContext('收件人说请联系派件员', COURIER_WORDS)).toBe(true);
    expect(isCourierContext('派件员已联系收件人', COURIER_WORDS)).toBe(false);
    expect(isCourierContext('请联系', COURIER_WORDS)).toBe(false);
  });

  it('returns the same string when there is nothing to mask', () => {
    const text = '快件离开【河北永清县】已发往【贵阳】';
    expect(maskPhones(text)).toBe(text);
  });
});
