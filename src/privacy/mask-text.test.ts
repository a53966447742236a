import { describe, expect, it } from 'vitest';
import { maskText } from './mask-text.js';
import { compilePrivacy, DEFAULT_PRIVACY, type PrivacyRules } from './privacy-rules.js';

/** Trace texts in the shapes couriers write them, with the mask a stranger should see. */
const TRACES: readonly (readonly [string, string])[] = [
  ['已签收，签收人：张三', '已签收，签收人：张*'],
  ['请凭取件码 8-3-2011 到丰巢柜取件', '请凭取件码 **** 到丰巢柜取件'],
  [
    '快件已签收,签收人: 他人代收, 如有疑问请电联快递员【张三，电话：13800000000】',
    '快件已签收,签收人: 他人代收, 如有疑问请电联快递员【张三，电话：13800000000】',
  ],
  [
    '您的包裹已存放至【菜鸟驿站】，请凭取件码 3-2-1023 及时取件，收件人电话13812345678',
    '您的包裹已存放至【菜鸟驿站】，请凭取件码 **** 及时取件，收件人电话138******78',
  ],
  [
    '【杭州西湖营业部】派件员：王五，电话：139 0000 1111，正在为您派件',
    '【杭州西湖营业部】派件员：王五，电话：139 0000 1111，正在为您派件',
  ],
  [
    '已送达浙江省杭州市西湖区文一路100号3栋2单元501室，收件人欧阳娜娜（13800001234-5678）',
    '已送达浙江省杭州市西湖区文一路100号3栋*单元***室，收件人欧***（138******34-****）',
  ],
  ['客户签收人: 本人 已签收', '客户签收人: 本人 已签收'],
];

describe('maskText', () => {
  it.each(TRACES)('%s', (text, masked) => {
    expect(maskText(text, DEFAULT_PRIVACY)).toBe(masked);
  });

  it('leaves text alone when the carrier turned masking off', () => {
    const off: PrivacyRules = { ...DEFAULT_PRIVACY, mask: false };
    for (const [text] of TRACES) expect(maskText(text, off)).toBe(text);
  });

  it("runs a carrier's own rules before the built-in ones", () => {
    const compiled = compilePrivacy(
      { rules: [{ pattern: '工号([0-9]{4,8})', hide: 'code' }], courierWords: ['如有疑问请联系'] },
      'p',
    );
    if (!compiled.ok) throw new Error(compiled.errors.join('; '));
    expect(maskText('派件员工号20231234，如有疑问请联系：13900001111', compiled.rules)).toBe(
      '派件员工号****，如有疑问请联系：13900001111',
    );
    expect(maskText('如有疑问请联系：13900001111', DEFAULT_PRIVACY)).toBe('如有疑问请联系：139******11');
  });
});
