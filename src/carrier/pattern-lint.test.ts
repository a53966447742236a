import { describe, expect, it } from 'vitest';
import { COURIER_CATALOGUE, isSameCourier } from './courier-catalogue.js';
import { checkWaybillPattern } from './pattern-safety.js';
import { formatCount, lintPattern, type LintInput } from './pattern-lint.js';

const input = (waybillPattern: string, over: Partial<LintInput> = {}): LintInput => ({
  carrier: {
    id: 'ACME',
    name: '某某快递',
    waybillPattern,
    phone: '95000',
    testWaybills: new Set(['AC0000000001']),
  },
  waybills: [],
  ...over,
});

const lint = (pattern: string, over: Partial<LintInput> = {}) => {
  const r = lintPattern(input(pattern, over));
  if (!r.ok) throw new Error(r.reason);
  return r;
};

describe('the built-in courier catalogue', () => {
  it('covers the eleven major couriers, each with samples its own safe pattern accepts', () => {
    expect(COURIER_CATALOGUE.map((c) => c.name)).toEqual([
      '顺丰',
      '京东',
      'EMS',
      '圆通',
      '中通',
      '申通',
      '韵达',
      '极兔',
      '德邦',
      '百世',
      '菜鸟',
    ]);
    for (const c of COURIER_CATALOGUE) {
      const checked = checkWaybillPattern(c.pattern);
      expect(checked.ok, `${c.name}: ${checked.ok ? '' : checked.reason}`).toBe(true);
      expect(c.samples.length).toBeGreaterThan(0);
      for (const s of c.samples) expect(checked.ok && checked.matcher.test(s), `${c.name} ${s}`).toBe(true);
    }
  });

  it('recognises a configured carrier as the same courier by id, alias or Chinese name', () => {
    const yto = COURIER_CATALOGUE.find((c) => c.code === 'YTO')!;
    expect(isSameCourier(yto, { id: 'YTO', name: 'x' })).toBe(true);
    expect(isSameCourier(yto, { id: 'yt', name: 'x' })).toBe(true);
    expect(isSameCourier(yto, { id: 'c1', name: '圆通速递' })).toBe(true);
    expect(isSameCourier(yto, { id: 'SF', name: '顺丰速运' })).toBe(false);
  });
});

describe('lintPattern: coverage', () => {
  it("reports the share of the carrier's stored waybills that match, with misses", () => {
    const r = lint('AC\\d{10}', {
      waybills: ['AC0000000001', 'AC0000000002', 'AC000000003', 'XAC0000000004'],
    });
    expect(r.coverage).toEqual({
      checked: 4,
      matched: 2,
      share: 0.5,
      misses: ['AC000000003', 'XAC0000000004'],
    });
    expect(r.findings).toContain(
      'coverage: 2 of 4 stored waybills do not match (e.g. AC000000003, XAC0000000004); WeChat will show nothing for them',
    );
  });

  it('has no share without stored waybills, and no finding at full coverage', () => {
    expect(lint('AC\\d{10}').coverage.share).toBeUndefined();
    const full = lint('AC\\d{10}', { waybills: ['AC0000000001'] });
    expect(full.coverage.share).toBe(1);
    expect(full.findings).toEqual([]);
  });
});

describe('lintPattern: collisions', () => {
  it("flags overlaps with the catalogue, by sample numbers and by the formats' intersection", () => {
    const r = lint('[A-Z]{2}\\d{13}');
    const byCode = Object.fromEntries(r.collisions.map((c) => [c.code, c]));
    expect(Object.keys(byCode).sort()).toEqual(['JD', 'JT', 'SF', 'YTO']);
    expect(byCode.YTO!.sampleHits).toEqual(['YT1234567890123', 'YT6012345678901']);
    expect(byCode.JT!.overlap[0]).toBe('JT0000000000000');
    // SF's 12-digit samples miss, but the formats still share SF + 13 digits.
    expect(byCode.SF!.sampleHits).toEqual(['SF1234567890123', 'SF1410023456789']);
    expect(r.findings).toContain(
      'collision: overlaps 圆通 (YTO) numbers, e.g. YT1234567890123, YT6012345678901, YT0000000000000',
    );
  });

  it('finds an overlap that no sample shows', () => {
    const r = lint('CN9\\d{13}');
    expect(r.collisions).toEqual([
      {
        courier: '菜鸟',
        code: 'CAINIAO',
        sampleHits: [],
        overlap: ['CN90000000000000', 'CN90000000000001', 'CN90000000000002'],
      },
    ]);
  });

  it("ignores the carrier's own format, and flags nothing for a distinct prefix", () => {
    expect(
      lint('YT\\d{13}', { carrier: { id: 'YTO', name: '圆通速递', waybillPattern: 'YT\\d{13}' } }).collisions,
    ).toEqual([]);
    expect(lint('QQ\\d{13}').collisions).toEqual([]);
  });
});

describe('lintPattern: breadth', () => {
  it('warns on a pattern that accepts every 12-digit number', () => {
    const r = lint('\\d{12}');
    expect(r.breadth.lengths).toEqual([
      { length: 12, count: 10n ** 12n, digitShare: 1, alnumShare: expect.any(Number) },
    ]);
    expect(r.breadth.warnings).toEqual([
      'breadth: accepts 100.0% of all 12-digit numbers; add the prefix or fixed digits your numbers carry',
    ]);
  });

  it('does not warn on a prefixed format', () => {
    const r = lint('QQ\\d{13}');
    expect(r.breadth.lengths).toEqual([
      { length: 15, count: 10n ** 13n, digitShare: 0, alnumShare: expect.any(Number) },
    ]);
    expect(r.breadth.lengths[0]!.alnumShare).toBeLessThan(1e-6);
    expect(r.breadth.warnings).toEqual([]);
  });

  it('warns on broad alphanumeric codes and on unbounded lengths', () => {
    const r = lint('[A-Z0-9]{10}\\d+');
    expect(r.breadth.unbounded).toBe(true);
    expect(r.breadth.warnings).toContain('breadth: no upper bound on length; use {m,n} instead of + or *');
    expect(lint('[A-Z]\\w{9}').breadth.warnings[0]).toMatch(
      /^breadth: accepts \d+\.\d% of all 10-character codes of A-Z 0-9/,
    );
  });

  it('formats large counts compactly', () => {
    expect(formatCount(999_999n)).toBe('999999');
    expect(formatCount(10n ** 12n)).toBe('1.0e12');
  });
});

describe('lintPattern: notice and refusal', () => {
  it('writes the 运单正则表达式更新 email with the old and new pattern, samples and test waybills', () => {
    const r = lint('AC\\d{10}', { waybills: ['AC0000000001', 'BAD'], previousPattern: 'AC\\d{9}' });
    expect(r.notice).toContain('【邮件标题】某某快递 - 运单正则表达式更新');
    expect(r.notice).toContain('收件人：wxwuliu@tencent.com');
    expect(r.notice).toContain('原正则表达式：AC\\d{9}');
    expect(r.notice).toContain('新正则表达式：AC\\d{10}');
    expect(r.notice).toContain('新正则匹配的运单样例：AC0000000001');
    expect(r.notice).toContain('白名单测试运单：AC0000000001');
    expect(r.notice).toContain('已存运单匹配率：1/2（50.0%）');
    expect(r.notice).toContain('运力客服电话：95000');
  });

  it('refuses an unsafe pattern with the reason, and analyses nothing', () => {
    const r = lintPattern(input('(a+)+'));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toMatch(/backtrack/);
  });
});
