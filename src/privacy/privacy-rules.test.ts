import { describe, expect, it } from 'vitest';
import { compilePrivacy, DEFAULT_PRIVACY, type RawPrivacy } from './privacy-rules.js';
import { COURIER_WORDS } from './phone-scan.js';

const errorsOf = (raw: RawPrivacy): readonly string[] => {
  const r = compilePrivacy(raw, 'carriers[0].privacy');
  return r.ok ? [] : r.errors;
};

/**
 * A carrier's own section, as a courier team would write it: its outlet line is written "如有疑问
 * 请联系", its couriers' staff numbers follow 工号, and its examples are lines from its traces.
 */
const CARRIER_SECTION: RawPrivacy = {
  courierWords: ['如有疑问请联系'],
  rules: [{ pattern: '工号[:：]?([0-9]{4,8})', hide: 'code' }],
  examples: [
    {
      text: '客户签收人: 张三 已签收 感谢使用，如有疑问请联系：13800000000',
      masked: '客户签收人: 张* 已签收 感谢使用，如有疑问请联系：13800000000',
    },
    {
      text: '派件员工号：20231234 正在派件，收件人手机13812345678',
      masked: '派件员工号：**** 正在派件，收件人手机138******78',
    },
    { text: '您的快件已由本人签收', masked: '您的快件已由本人签收' },
  ],
};

describe('compilePrivacy', () => {
  it('masks by default: no section, or a section without `mask`', () => {
    expect(compilePrivacy(undefined, 'p')).toEqual({ ok: true, rules: DEFAULT_PRIVACY });
    const r = compilePrivacy({}, 'p');
    expect(r.ok && r.rules.mask).toBe(true);
  });

  it('refuses masking off without a written reason, and accepts it with one', () => {
    expect(errorsOf({ mask: false })).toEqual([
      expect.stringMatching(/^carriers\[0\]\.privacy\.reason: masking is off/),
    ]);
    expect(errorsOf({ mask: false, reason: '内部' })).toHaveLength(1);
    const r = compilePrivacy({ mask: false, reason: 'Only sorting-centre staff scan these parcels' }, 'p');
    expect(r.ok && r.rules).toMatchObject({
      mask: false,
      reason: 'Only sorting-centre staff scan these parcels',
    });
  });

  it('refuses a rule that fails the ReDoS lint, naming it', () => {
    expect(errorsOf({ rules: [{ pattern: '(a+)+b', hide: 'code' }] })).toEqual([
      expect.stringMatching(/^carriers\[0\]\.privacy\.rules\[0\]\.pattern: .*backtrack/),
    ]);
    expect(errorsOf({ rules: [{ pattern: '(?<=码)[0-9]+', hide: 'code' }] })).toEqual([
      expect.stringMatching(/not supported in a privacy rule/),
    ]);
    expect(errorsOf({ rules: [{ pattern: '[0-9]*', hide: 'code' }] })).toEqual([
      expect.stringMatching(/empty string/),
    ]);
    expect(errorsOf({ rules: [{ pattern: '码(', hide: 'code' }] })).toEqual([
      expect.stringMatching(/not a valid regular expression/),
    ]);
  });

  it("adds the carrier's courier words to the built-in ones", () => {
    const r = compilePrivacy({ courierWords: ['骑手'] }, 'p');
    expect(r.ok && r.rules.courierWords).toEqual([...COURIER_WORDS, '骑手']);
  });

  it("checks the carrier's own examples, and accepts them when its rules do what it expects", () => {
    expect(errorsOf(CARRIER_SECTION)).toEqual([]);
  });

  it('refuses the configuration when an example no longer masks as its carrier expects', () => {
    const broken: RawPrivacy = { ...CARRIER_SECTION, rules: [] };
    expect(errorsOf(broken)).toEqual([
      'carriers[0].privacy.examples[1]: masks to "派件员工号：20231234 正在派件，收件人手机138******78", expected "派件员工号：**** 正在派件，收件人手机138******78"',
    ]);
  });

  it('checks examples with masking on, so a carrier that turned it off keeps them honest', () => {
    expect(
      errorsOf({
        mask: false,
        reason: 'Parcels of this carrier are internal mail only',
        examples: [{ text: '收件人张三', masked: '收件人张三' }],
      }),
    ).toEqual(['carriers[0].privacy.examples[0]: masks to "收件人张*", expected "收件人张三"']);
  });
});
