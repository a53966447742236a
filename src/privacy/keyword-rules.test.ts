import { describe, expect, it } from 'vitest';
import { checkWaybillPattern } from '../carrier/pattern-safety.js';
import { applyRule, BUILT_IN_RULES, BUILT_IN_RULE_SOURCES, compileRule } from './keyword-rules.js';

const [codes, names, units] = BUILT_IN_RULES as [
  (typeof BUILT_IN_RULES)[0],
  (typeof BUILT_IN_RULES)[0],
  (typeof BUILT_IN_RULES)[0],
];

describe('built-in keyword rules', () => {
  it.each(BUILT_IN_RULE_SOURCES.map((r) => [r.hide, r.source]))(
    'the %s rule passes the ReDoS lint of waybill patterns',
    (_hide, source) => {
      const check = checkWaybillPattern(source);
      expect(check.ok ? 'ok' : check.reason).toBe('ok');
    },
  );

  it.each([
    ['已签收，签收人：张三', '已签收，签收人：张*'],
    ['签收人张三已签收', '签收人张*已签收'],
    ['签收人为张三', '签收人为张*'],
    ['收件人：欧阳娜娜，请保持电话畅通', '收件人：欧***，请保持电话畅通'],
    ['寄件人【李四】', '寄件人【李*】'],
    ['代收人 王五', '代收人 王*'],
    ['收货人姓名：赵六', '收货人姓名：赵*'],
    ['签收人：Zhang', '签收人：Z****'],
  ])('hides a name after its role word: %s', (text, masked) => {
    expect(applyRule(text, names)).toBe(masked);
  });

  it.each([
    '已签收，签收人：本人',
    '签收人：本人签收',
    '签收人：前台',
    '收件人电话无人接听',
    '收件人已签收',
    '收件人地址有误',
  ])('keeps words that name nobody: %s', (text) => {
    expect(applyRule(text, names)).toBe(text);
  });

  it.each([
    ['请凭取件码 8-3-2011 到丰巢柜取件', '请凭取件码 **** 到丰巢柜取件'],
    ['取件码【123456】', '取件码【****】'],
    ['提货码：A12-3456', '提货码：****'],
    ['取件密码为778899', '取件密码为****'],
    ['柜号12，格口号B3', '柜号****，格口号****'],
    ['门禁码：#1234', '门禁码：#****'],
  ])('hides a pickup code entirely: %s', (text, masked) => {
    expect(applyRule(text, codes)).toBe(masked);
  });

  it.each([
    ['文一路100号3栋2单元501室', '文一路100号3栋*单元***室'],
    ['B座1203室', 'B座****室'],
    ['301号房', '***号房'],
  ])('hides unit and room numbers: %s', (text, masked) => {
    expect(applyRule(text, units)).toBe(masked);
  });

  it('hides the whole match of a rule without a capture group', () => {
    expect(applyRule('工号A1234签收', compileRule('A[0-9]{4}', 'code'))).toBe('工号****签收');
  });

  it('applies a rule more than once, and from the start each time', () => {
    const rule = compileRule('码([0-9]{3})', 'code');
    expect(applyRule('码123码456', rule)).toBe('码****码****');
    expect(applyRule('码789', rule)).toBe('码****');
  });
});
