/**
 * @module
 * Whether a request's `Accept-Encoding` allows gzip (RFC 9110 §12.5.3): a `gzip` (or `x-gzip`)
 * coding, or `*`, whose quality is not 0. WeChat's page loads the reply with a `<script>` tag,
 * whose request carries `Accept-Encoding: gzip, deflate, br`. No header means no coding: the reply
 * goes uncompressed.
 */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  // The common case without splitting: a plain `gzip` token and no quality values at all.
  if (text.indexOf(';') < 0 && /(^|[\s,])(x-)?gzip\s*(,|$)/.test(text)) return true;
  if (!/gzip|\*/i.test(text)) return false;
  let star: boolean | undefined;
  for (const part of text.split(',')) {
    const [name = '', ...params] = part.split(';');
    const coding = name.trim().toLowerCase();
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    let q = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) q = Number(m[1]);
    }
    if (coding === '*') star = q > 0;
    else return q > 0;
  }
  return star ?? false;
}
