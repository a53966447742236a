import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodeFindings, jsonpErrorCodes } from './error-codes.mjs';

const catalog = readFileSync(new URL('../../src/protocol/errors.ts', import.meta.url), 'utf8');

describe('error codes in both languages', () => {
  it('reads the JSONP codes of the catalog, leaving out 0 and the plain-HTTP 40000', () => {
    const codes = jsonpErrorCodes(catalog);
    expect(codes).toContain(42901);
    expect(codes).toContain(50001);
    expect(codes).not.toContain(40000);
    expect(codes).not.toContain(0);
  });

  it('names a code whose row one language lacks', () => {
    const doc = [
      '## Errors',
      '| err_code | msg |',
      '| 40001 | bad signature |',
      '| 42901 | too many |',
      '## 错误',
      '| err_code | msg |',
      '| 40001 | bad signature |',
    ].join('\n');
    expect(errorCodeFindings(doc, [40001, 42901, 50001])).toEqual([
      { line: 4, message: 'error code 42901 has a row in the English table but none in the 中文 one' },
      { line: 1, message: 'error code 50001 (src/protocol/errors.ts) has no table row in either language' },
    ]);
  });

  it('finds nothing missing in the README', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(errorCodeFindings(readme, jsonpErrorCodes(catalog))).toEqual([]);
  });
});
