import { describe, expect, it } from 'vitest';
import { HIDDEN_CODE, maskDigits, maskName, maskPhone, maskUnit } from './masks.js';

const hiddenCount = (s: string) => [...s].filter((c) => c === '*').length;

describe('masks', () => {
  it('hides 6 digits of a mobile, keeping the first 3 and last 2 (not the last 4 SF asks for)', () => {
    expect(maskDigits('13812345678')).toBe('138******78');
  });

  it('hides at least 6 digits of any phone length', () => {
    for (let n = 1; n <= 17; n++) {
      const digits = '9'.repeat(n);
      const masked = maskDigits(digits);
      expect(masked).toHaveLength(n);
      expect(hiddenCount(masked)).toBe(Math.min(n, Math.max(6, n - 5)));
    }
    expect(maskDigits('88889999')).toBe('******99');
  });

  it('keeps separators in place, hides an extension whole and keeps a country prefix', () => {
    expect(maskPhone('138-1234-5678')).toBe('138-****-**78');
    expect(maskPhone('13800001234-5678', 11)).toBe('138******34-****');
    expect(maskPhone('+86 13812345678', 13, 2)).toBe('+86 138******78');
    expect(maskPhone('１３８１２３４５６７８')).toBe('１３８******７８');
  });

  it('masks every character of a name but the first', () => {
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskName('王')).toBe('*');
    expect(maskName('𠀋一')).toBe('𠀋*');
  });

  it('hides codes with a fixed mask and units character by character', () => {
    expect(HIDDEN_CODE).toBe('****');
    expect(maskUnit('501')).toBe('***');
  });
});
