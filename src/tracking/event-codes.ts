/**
 * @module
 * Carrier scan codes (揽收, 到件, 派件, …) and the mapping that turns one into WeChat's
 * `order_status` plus the label shown before the description. Couriers' handhelds speak in
 * these codes, not in WeChat's seven statuses, so an event may carry `code` instead of `status`.
 *
 * The default table below is documented in README.md ("Carrier event codes"); a carrier adds to
 * it or overrides it with a JSON file (see {@link parseEventCodeMapping}). Pure: no I/O.
 */
import type { OrderStatus } from '../protocol/order-info.js';
import { isOrderStatus } from './status.js';

/** What one code means. */
export interface EventCodeMeaning {
  readonly status: OrderStatus;
  /** Shown before the description in `accept_address`. */
  readonly label: string;
}

export type EventCodeMapping = ReadonlyMap<string, EventCodeMeaning>;

const m = (status: OrderStatus, label: string): EventCodeMeaning => Object.freeze({ status, label });

/**
 * Common Chinese courier scan types. Parcel stations and lockers (驿站, 快递柜) sign on the
 * addressee's behalf, which is WeChat's 6 代签收; a return or refusal is 5 签收异常.
 */
export const DEFAULT_EVENT_CODES: Readonly<Record<string, EventCodeMeaning>> = Object.freeze({
  下单: m(0, '待揽件'),
  揽收: m(1, '已揽件'),
  收件: m(1, '已揽件'),
  发件: m(2, '运输中'),
  到件: m(2, '运输中'),
  中转: m(2, '运输中'),
  装车: m(2, '运输中'),
  卸车: m(2, '运输中'),
  派件: m(3, '派送中'),
  签收: m(4, '已签收'),
  本人签收: m(4, '已签收'),
  代签收: m(6, '代签收'),
  驿站入库: m(6, '驿站代收'),
  快递柜入柜: m(6, '已入柜'),
  问题件: m(5, '问题件'),
  拒收: m(5, '拒收'),
  退回: m(5, '退回'),
});

/** The default mapping as a map. */
export const defaultEventCodes = (): EventCodeMapping => new Map(Object.entries(DEFAULT_EVENT_CODES));

export type ParsedMapping =
  | { readonly ok: true; readonly mapping: EventCodeMapping }
  | { readonly ok: false; readonly errors: string[] };

const CODE_MAX = 32;
const LABEL_MAX = 32;

/**
 * Reads a custom mapping, decoded from JSON:
 *
 * ```json
 * { "codes": { "SCAN_IN": { "status": 2, "label": "到件" }, "退回": null },
 *   "replaceDefaults": false }
 * ```
 *
 * Entries are laid over the defaults (a `null` entry removes a default code); with
 * `"replaceDefaults": true` the file's codes are the whole table. Every problem is reported.
 */
export function parseEventCodeMapping(input: unknown): ParsedMapping {
  const errors: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, errors: ['must be a JSON object with a "codes" object'] };
  }
  const { codes, replaceDefaults } = input as Record<string, unknown>;
  if (replaceDefaults !== undefined && typeof replaceDefaults !== 'boolean') {
    errors.push('replaceDefaults: must be true or false');
  }
  if (typeof codes !== 'object' || codes === null || Array.isArray(codes)) {
    return { ok: false, errors: [...errors, 'codes: must be an object of code -> {status, label}'] };
  }
  const mapping =
    replaceDefaults === true ? new Map<string, EventCodeMeaning>() : new Map(defaultEventCodes());
  for (const [code, meaning] of Object.entries(codes as Record<string, unknown>)) {
    if (code.trim() !== code || code.length === 0 || code.length > CODE_MAX) {
      errors.push(`codes["${code}"]: a code is 1 to ${CODE_MAX} characters without surrounding spaces`);
      continue;
    }
    if (meaning === null) {
      mapping.delete(code);
      continue;
    }
    const { status, label } = (meaning ?? {}) as Record<string, unknown>;
    if (typeof meaning !== 'object' || !isOrderStatus(status)) {
      errors.push(`codes["${code}"].status: must be an integer from 0 to 6`);
      continue;
    }
    if (typeof label !== 'string' || label.trim() === '' || label.length > LABEL_MAX) {
      errors.push(`codes["${code}"].label: must be 1 to ${LABEL_MAX} characters`);
      continue;
    }
    mapping.set(code, m(status, label.trim()));
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, mapping };
}
