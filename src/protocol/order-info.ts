/**
 * @module
 * The OrderInfo object WeChat renders on its landing page (spec §OrderInfo说明), and its one
 * serializer. Field order follows the spec's table.
 */
import { Errors, type CatalogEntry } from './errors.js';
import { jsonpBody, stringifyForScript } from './jsonp.js';

/** OrderStatus (spec §OrderStatus定义). */
export type OrderStatus = 0 | 1 | 2 | 3 | 4 | 5 | 6;

/** One row of the parcel's history. */
export interface Trace {
  /** `YYYY-MM-DD HH:mm:ss` in the carrier's time zone. */
  readonly accept_time: string;
  /** Status label, `\n`, then the description: `运输中\n快件已从杭州枢纽中心发出`. */
  readonly accept_address: string;
  /** Where it happened. */
  readonly remark: string;
}

/** A button on WeChat's landing page; WeChat appends signed parameters to its registered link. */
export interface Cell {
  /** The registered key, at most 20 characters. */
  readonly key: string;
  /** The prompt shown on the right, at most 10 characters. */
  readonly value: string;
  /** A path or parameter string appended to the cell's link when tapped. */
  readonly status?: string;
}

/** A successful OrderInfo. */
export interface OrderInfo {
  readonly err_code: 0;
  readonly err_msg: 'ok';
  readonly order_status: OrderStatus;
  /** `YYYY-MM-DD`; present only while the parcel is not yet signed for (4, 6). */
  readonly estimated_delivery_time?: string;
  readonly traces: readonly Trace[];
  readonly cells: readonly Cell[];
}

/** Spec limits on a cell, counted in Unicode code points. */
export const CELL_KEY_MAX = 20;
export const CELL_VALUE_MAX = 10;

/** Length in Unicode code points, which is how the spec's "characters" are counted. */
export const codePoints = (text: string): number => {
  let n = text.length;
  // Each surrogate pair is one code point but two UTF-16 units.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
};

/** Why a cell breaks the spec's limits, or `undefined` when it is fine. */
export function cellProblem(cell: Cell): string | undefined {
  const k = codePoints(cell.key);
  const v = codePoints(cell.value);
  if (k === 0) return 'key: empty';
  if (k > CELL_KEY_MAX) return `key: ${k} characters, at most ${CELL_KEY_MAX}`;
  if (v > CELL_VALUE_MAX) return `value: ${v} characters, at most ${CELL_VALUE_MAX}`;
  return undefined;
}

/** Serializes an OrderInfo to script-safe JSON, ready to go between `WxOrderCb(` and `)`. */
export function serializeOrderInfo(info: OrderInfo): string {
  return stringifyForScript({
    err_code: info.err_code,
    err_msg: info.err_msg,
    order_status: info.order_status,
    ...(info.estimated_delivery_time === undefined
      ? {}
      : { estimated_delivery_time: info.estimated_delivery_time }),
    traces: info.traces,
    cells: info.cells,
  });
}

/** The JSON of a protocol error reply: `{"err_code":N,"err_msg":"..."}`. */
export function errorJson(entry: CatalogEntry): string {
  return stringifyForScript({ err_code: entry.code, err_msg: entry.message });
}

/**
 * Every JSONP error body for one callback, built once: error replies then cost no serialization
 * and, being constants, cannot carry anything from the request.
 */
export function errorBodies(callback: string): ReadonlyMap<CatalogEntry, string> {
  const map = new Map<CatalogEntry, string>();
  for (const entry of Object.values(Errors)) map.set(entry, jsonpBody(callback, errorJson(entry)));
  return map;
}
