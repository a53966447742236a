/**
 * @module
 * Writing the JSONP body WeChat's front end evaluates: exactly `WxOrderCb(` + JSON + `)`.
 *
 * No `/**\/` prefix and no `;`: a known WeChat client strips `^WxOrderCb\(` and `\)\s*$`, then
 * JSON-parses the rest, so anything else around the JSON breaks it.
 */

/** The spec's only callback name. */
export const DEFAULT_CALLBACK = 'WxOrderCb';

const UNSAFE_IN_SCRIPT = /[\u2028\u2029<>&]/g;
const escapeChar = (ch: string): string => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0');

/**
 * `JSON.stringify`, plus escapes for `<`, `>`, `&`, U+2028 and U+2029 so that no text can close
 * a `<script>` element or end a JavaScript line inside a string literal (pre-ES2019 engines).
 */
export function stringifyForScript(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE_IN_SCRIPT, escapeChar);
}

/** Wraps already script-safe JSON in the callback. */
export function jsonpBody(callback: string, safeJson: string): string {
  return callback + '(' + safeJson + ')';
}

/** Reads a JSONP body the way WeChat's client does; for checkers and tests. */
export function parseJsonpBody(body: string, callback = DEFAULT_CALLBACK): unknown {
  const prefix = new RegExp('^' + callback + '\\(');
  if (!prefix.test(body) || !/\)\s*$/.test(body)) throw new Error('not a ' + callback + '(...) body');
  return JSON.parse(body.replace(prefix, '').replace(/\)\s*$/, ''));
}
