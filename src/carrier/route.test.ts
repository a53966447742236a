import { describe, expect, it } from 'vitest';
import { compileWaybillPattern, type Carrier } from './carrier.js';
import { routeQuery } from './route.js';

const carrier = (id: string, pattern: string): Carrier => ({
  id,
  name: id,
  tokens: ['t-' + id],
  waybillPattern: pattern,
  waybillMatcher: compileWaybillPattern(pattern),
  timezone: 'Asia/Shanghai',
});

const yto = carrier('YTO', 'YT\\d{13}');
const sf = carrier('SF', 'SF\\d{12}');
const digits = carrier('DIG', '\\d{12,15}');

describe('compileWaybillPattern', () => {
  it('anchors both ends, including around an alternation', () => {
    const re = compileWaybillPattern('YT\\d{3}|JD\\d{3}');
    expect(re.test('YT123')).toBe(true);
    expect(re.test('JD123')).toBe(true);
    expect(re.test('XYT123')).toBe(false);
    expect(re.test('YT1234')).toBe(false);
    expect(re.test('JD123X')).toBe(false);
  });
});

describe('routeQuery', () => {
  it('serves the only carrier without company_id', () => {
    expect(routeQuery([yto], undefined, 'YT1234567890123')).toEqual({ ok: true, carrier: yto });
  });

  it("refuses an orderid outside the only carrier's pattern", () => {
    expect(routeQuery([yto], undefined, 'SF123456789012')).toEqual({
      ok: false,
      problem: 'pattern-mismatch',
    });
  });

  it('picks the carrier by company_id, and still checks its pattern', () => {
    expect(routeQuery([yto, sf], 'SF', 'SF123456789012')).toEqual({ ok: true, carrier: sf });
    expect(routeQuery([yto, sf], 'SF', 'YT1234567890123')).toEqual({
      ok: false,
      problem: 'pattern-mismatch',
    });
  });

  it('refuses an unknown company_id, even with one carrier', () => {
    expect(routeQuery([yto], 'ZTO', 'YT1234567890123')).toEqual({ ok: false, problem: 'unknown-carrier' });
  });

  it('routes by pattern when exactly one carrier claims the orderid', () => {
    expect(routeQuery([yto, sf], undefined, 'SF123456789012')).toEqual({ ok: true, carrier: sf });
  });

  it('refuses when no carrier, or several, claim the orderid', () => {
    expect(routeQuery([yto, sf], undefined, 'ZZ1')).toEqual({ ok: false, problem: 'unknown-carrier' });
    expect(routeQuery([sf, digits], undefined, '123456789012')).toEqual({ ok: true, carrier: digits });
    expect(routeQuery([yto, digits, carrier('DIG2', '\\d{12}')], undefined, '123456789012')).toEqual({
      ok: false,
      problem: 'unknown-carrier',
    });
  });
});
