/**
 * @module
 * Reading a reply the way WeChat's landing page does: strip `WxOrderCb(` at the very start and the
 * final `)`, then `JSON.parse` what is left. Anything around the call (a `/**\/` prefix, a `;`)
 * breaks that page, so it breaks here too, with the reason.
 */

export type PageRead =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string };

const CALLBACK = 'WxOrderCb';

/**
 * Shows a few characters of a body in a report, as a JSON string with `<`, `>`, `&`, U+2028 and
 * U+2029 escaped, so nothing an endpoint sent is live in a terminal, Markdown or HTML.
 */
export function excerpt(text: string, max = 40): string {
  const cut = text.length > max ? text.slice(0, max) + '…' : text;
  return JSON.stringify(cut).replace(
    /[<>&\u2028\u2029]/g,
    (ch) => '\\u' + ch.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

export function readAsWeChatPage(body: string): PageRead {
  if (!body.startsWith(CALLBACK + '(')) {
    return { ok: false, problem: `does not start with ${CALLBACK}( but with ${excerpt(body, 16)}` };
  }
  const end = body.replace(/\s+$/, '');
  if (!end.endsWith(')')) return { ok: false, problem: 'does not end with )' };
  const json = end.slice(CALLBACK.length + 1, -1);
  try {
    return { ok: true, value: JSON.parse(json) };
  } catch (err) {
    return { ok: false, problem: 'JSON.parse failed: ' + (err as Error).message };
  }
}
