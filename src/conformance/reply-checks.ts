/**
 * @module
 * The checks on one reply, as WeChat's landing page would meet it (spec §OrderInfo说明): status,
 * type, the exact `WxOrderCb(JSON)` frame, and every field's format. Pure: a reply in, results
 * out, one per check id, so each fault is named by the check that catches it.
 */
import {
  fail,
  pass,
  RATE_LIMITED,
  RATE_LIMITED_HINT,
  skip,
  warn,
  type CheckId,
  type CheckResult,
} from './check-result.js';
import { maskText } from '../privacy/mask-text.js';
import { DEFAULT_PRIVACY } from '../privacy/privacy-rules.js';
import { excerpt, readAsWeChatPage } from './wechat-page.js';

/**
 * An excerpt of trace text for the report, masked as a stranger's reply is (privacy/) before it
 * is cut, so that the report never holds a customer's phone, name or pickup code, even when the
 * checked server sent them unmasked, nor half a phone number.
 */
const traceExcerpt = (text: string, max?: number): string => excerpt(maskText(text, DEFAULT_PRIVACY), max);

export interface RawReply {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

const ACCEPT_TIME_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01]) ([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;
const DATE_RE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const JS_TYPE_RE = /^(text|application)\/(x-)?javascript\s*(;|$)/i;
const KEYS = new Set(['err_code', 'err_msg', 'order_status', 'estimated_delivery_time', 'traces', 'cells']);
const TRACE_KEYS = ['accept_time', 'accept_address', 'remark'];
/** The spec's OrderStatus names (OrderStatus定义). */
const STATUS_NAMES = ['待揽件', '已揽件', '运输中', '派送中', '已签收', '签收异常', '代签收'];
const codePoints = (s: string): number => [...s].length;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Which characters would break a `<script>` when left raw in the body. */
function scriptBreakers(body: string): string[] {
  const found: string[] = [];
  if (/<\/script/i.test(body)) found.push('</script');
  if (body.includes('<!--')) found.push('<!--');
  if (body.includes('\u2028')) found.push('U+2028');
  if (body.includes('\u2029')) found.push('U+2029');
  return found;
}

export function replyChecks(reply: RawReply, orderid: string): CheckResult[] {
  const results: CheckResult[] = [];
  const add = (ok: boolean, id: CheckId, good: string, bad: string) =>
    results.push(ok ? pass(id, good, orderid) : fail(id, bad, orderid));

  add(reply.status === 200, 'http-status', 'HTTP 200', `HTTP ${reply.status}`);
  const type = reply.contentType ?? '';
  add(
    JS_TYPE_RE.test(type) && /charset=utf-8/i.test(type),
    'content-type',
    excerpt(type),
    type === '' ? 'no Content-Type' : `${excerpt(type)}: want text/javascript; charset=utf-8`,
  );
  const breakers = scriptBreakers(reply.body);
  add(
    breakers.length === 0,
    'script-escape',
    'none raw in the body',
    `raw in the body: ${breakers.join(', ')}`,
  );

  const read = readAsWeChatPage(reply.body);
  const fields: CheckId[] = [
    'err-code',
    'order-status',
    'accept-time',
    'accept-address',
    'trace-order',
    'cell-length',
    'eta',
  ];
  // Only an unreadable body stops the field checks: there is nothing for them to read.
  if (!read.ok || !isObject(read.value)) {
    results.push(fail('body-shape', read.ok ? 'the JSON is not an object' : read.problem, orderid));
    for (const id of fields) results.push(skip(id, 'the body could not be read', orderid));
    return results;
  }
  const info = read.value;
  const shapeProblems: string[] = [];
  const shapeNotes: string[] = [];
  for (const key of Object.keys(info))
    if (!KEYS.has(key)) shapeProblems.push(`unknown field ${excerpt(key, 24)}`);
  if (typeof info.err_code !== 'number') shapeProblems.push('err_code is not a number');
  if (typeof info.err_msg !== 'string') shapeProblems.push('err_msg is not a string');
  const success = info.err_code === 0;
  const traces = Array.isArray(info.traces) ? info.traces : undefined;
  const cells = Array.isArray(info.cells) ? info.cells : undefined;
  if (success) {
    if (!traces) shapeProblems.push('traces is not an array');
    // The spec lists cells among OrderInfo's fields without requiring them (unlike the ETA, whose
    // rule it states): absent is legal, a value that is not an array is not.
    if (info.cells === undefined)
      shapeNotes.push(
        "cells absent: legal (the spec lists cells but never requires them), unlike the spec's example, which sends an array; WeChat's page then shows no cells",
      );
    else if (!cells) shapeProblems.push('cells is not an array');
    traces?.forEach((t, i) => {
      if (!isObject(t) || !TRACE_KEYS.every((k) => typeof t[k] === 'string')) {
        shapeProblems.push(`traces[${i}] lacks string accept_time, accept_address, remark`);
      }
    });
    cells?.forEach((c, i) => {
      if (!isObject(c) || typeof c.key !== 'string' || typeof c.value !== 'string') {
        shapeProblems.push(`cells[${i}] lacks string key, value`);
      } else if (c.status !== undefined && typeof c.status !== 'string') {
        shapeProblems.push(`cells[${i}].status is not a string`);
      }
    });
  }
  if (shapeProblems.length > 0)
    results.push(fail('body-shape', [...shapeProblems, ...shapeNotes].join('; '), orderid));
  else if (shapeNotes.length > 0) results.push(warn('body-shape', shapeNotes.join('; '), orderid));
  else results.push(pass('body-shape', 'WxOrderCb({...}) parses as WeChat does', orderid));
  add(
    success && info.err_msg === 'ok',
    'err-code',
    'err_code 0, err_msg "ok"',
    `err_code ${JSON.stringify(info.err_code)}, err_msg ${excerpt(String(info.err_msg))}` +
      (info.err_code === RATE_LIMITED ? `: ${RATE_LIMITED_HINT}` : ''),
  );
  // The field checks apply to a successful OrderInfo, each whatever the others found.
  if (!success) {
    for (const id of fields.slice(1))
      results.push(skip(id, 'not a successful OrderInfo (err_code ≠ 0)', orderid));
    return results;
  }

  const status = info.order_status;
  const statusOk = typeof status === 'number' && Number.isInteger(status) && status >= 0 && status <= 6;
  add(
    statusOk,
    'order-status',
    `order_status ${String(status)}`,
    `order_status ${excerpt(JSON.stringify(status) ?? 'absent')}`,
  );

  if (!traces) {
    for (const id of ['accept-time', 'accept-address', 'trace-order'] as const)
      results.push(skip(id, 'no traces array (see body-shape)', orderid));
  }
  const rows = (traces ?? []).filter(isObject);
  const times = rows.map((t) => String(t.accept_time));
  const badTime = times.find((t) => !ACCEPT_TIME_RE.test(t));
  if (traces)
    add(
      badTime === undefined,
      'accept-time',
      `${times.length} traces`,
      `accept_time ${excerpt(badTime ?? '')}`,
    );

  const badAddress = rows
    .map((t) => String(t.accept_address))
    .find((a) => {
      const nl = a.indexOf('\n');
      return nl <= 0 || nl === a.length - 1 || a.indexOf('\n', nl + 1) >= 0;
    });
  const labels = new Set(rows.map((t) => String(t.accept_address).split('\n')[0]!));
  const unknown = [...labels].filter((l) => !STATUS_NAMES.includes(l));
  if (traces)
    add(
      badAddress === undefined,
      'accept-address',
      unknown.length
        ? `status texts outside the spec's names: ${unknown
            .slice(0, 3)
            .map((l) => traceExcerpt(l, 12))
            .join(', ')}`
        : 'status\\ndescription',
      `accept_address ${traceExcerpt(badAddress ?? '')}: want status text, \\n, description`,
    );

  let up = 0;
  let down = 0;
  for (let i = 1; i < times.length; i++) {
    if (times[i]! > times[i - 1]!) up++;
    if (times[i]! < times[i - 1]!) down++;
  }
  if (traces && up > 0 && down > 0)
    results.push(fail('trace-order', `${up} steps forward and ${down} back in time`, orderid));
  else if (traces && down > 0)
    results.push(
      warn(
        'trace-order',
        "newest first: legal (the spec sets no order), unlike the spec's example, which lists oldest first",
        orderid,
      ),
    );
  else if (traces) results.push(pass('trace-order', 'oldest first, as in the spec\u2019s example', orderid));

  const badCell = (cells ?? [])
    .filter(isObject)
    .find((c) => codePoints(String(c.key)) > 20 || codePoints(String(c.value)) > 10);
  if (info.cells === undefined) results.push(pass('cell-length', 'no cells', orderid));
  else if (!cells) results.push(skip('cell-length', 'cells is not an array (see body-shape)', orderid));
  else
    add(
      badCell === undefined,
      'cell-length',
      `${cells.length} cells`,
      badCell
        ? `cell ${excerpt(String(badCell.key), 24)}: key ${codePoints(String(badCell.key))}, value ${codePoints(String(badCell.value))} characters`
        : '',
    );

  const eta = info.estimated_delivery_time;
  const signed = status === 4 || status === 6;
  if (eta === undefined) results.push(pass('eta', signed ? 'absent: signed' : 'absent', orderid));
  else if (signed)
    results.push(
      fail('eta', `present (${excerpt(String(eta))}) on a signed parcel (status ${String(status)})`, orderid),
    );
  else
    add(
      typeof eta === 'string' && DATE_RE.test(eta),
      'eta',
      excerpt(String(eta)),
      `estimated_delivery_time ${excerpt(String(eta))}`,
    );
  return results;
}
