// @ts-check
/**
 * @module error-codes
 *
 * The README's two languages must tell the same story; the error tables are where a missing row
 * went unnoticed (the 中文 table lacked 42901). This checks that every JSONP error code of the
 * catalog (src/protocol/errors.ts: every entry answered with HTTP 200, besides 0) has a row in an
 * English section's table and in a 中文 section's table. A section is 中文 when its `##` heading
 * holds CJK characters. Pure: the caller passes both texts.
 */

/** The JSONP error codes of the catalog's source: `entry(NNNNN, '…')` without an HTTP status other than 200. */
/** @param {string} catalogSource */
export function jsonpErrorCodes(catalogSource) {
  /** @type {number[]} */
  const codes = [];
  for (const m of catalogSource.matchAll(/entry\((\d+),\s*(?:'[^']*'|"[^"]*")\s*(?:,\s*(\d+))?\)/g)) {
    const code = Number(m[1]);
    const status = m[2] === undefined ? 200 : Number(m[2]);
    if (code !== 0 && status === 200) codes.push(code);
  }
  return codes;
}

/**
 * @param {string} readme
 * @param {readonly number[]} codes
 * @returns {{ line: number, message: string }[]}
 */
export function errorCodeFindings(readme, codes) {
  const lines = readme.split('\n');
  /** @type {Map<number, { en: number[], zh: number[] }>} */
  const rows = new Map(codes.map((c) => [c, { en: [], zh: [] }]));
  let chinese = false;
  let inFence = false;
  lines.forEach((text, i) => {
    if (/^(```|~~~)/.test(text)) inFence = !inFence;
    if (inFence) return;
    const heading = /^##\s+(.*)$/.exec(text);
    if (heading) chinese = /[\u4e00-\u9fff]/.test(heading[1] ?? '');
    const row = /^\|\s*(\d{5})\s*\|/.exec(text);
    const at = row ? rows.get(Number(row[1])) : undefined;
    if (at) (chinese ? at.zh : at.en).push(i + 1);
  });
  /** @type {{ line: number, message: string }[]} */
  const findings = [];
  for (const [code, { en, zh }] of rows) {
    if (en.length === 0 && zh.length === 0) {
      findings.push({
        line: 1,
        message: `error code ${code} (src/protocol/errors.ts) has no table row in either language`,
      });
    } else if (zh.length === 0) {
      findings.push({
        line: en[0] ?? 1,
        message: `error code ${code} has a row in the English table but none in the 中文 one`,
      });
    } else if (en.length === 0) {
      findings.push({
        line: zh[0] ?? 1,
        message: `error code ${code} has a row in the 中文 table but none in the English one`,
      });
    }
  }
  return findings;
}
