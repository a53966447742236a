/**
 * @module
 * Personal data a courier sends as fields of an event rather than inside its text:
 * `recipient_name`, `recipient_phone` and `pickup_code`. A courier that sends them needs no
 * guessing: each is known for what it is, drawn in full for the waybill's owners and masked for
 * everyone else, and its exact value is also masked wherever the waybill's free text repeats it.
 *
 * They are drawn after the description, in the trace WeChat shows (OrderInfo has no field of its
 * own for them): `已签收（收件人：张三，电话：13812345678，取件码：8-3-2011）` for an owner,
 * `已签收（收件人：张*，电话：138******78，取件码：****）` for a stranger. Pure.
 */
import { codePoints } from '../protocol/order-info.js';
import { HIDDEN_CODE, maskName, maskPhone } from './masks.js';

/** The fields as an event carries them; all optional. */
export interface PersonalFields {
  readonly recipientName?: string | undefined;
  readonly recipientPhone?: string | undefined;
  readonly pickupCode?: string | undefined;
}

export const PERSONAL_LIMITS = Object.freeze({ name: 32, phone: 32, pickupCode: 32 });

/** A mainland mobile (optionally +86) with an optional extension, or a landline with one. */
const PHONE =
  /^(?:(?:\+?86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}|0[0-9]{2,3}-?[0-9]{7,8})(?:(?:-|转|#)[0-9]{1,6})?$/;

/** How many leading digits of a valid phone are a country prefix (86 before a mobile). */
export const prefixDigitsOf = (phone: string): number =>
  /^(?:\+?86[ -]?)1[3-9]/.test(phone) && phone.replace(/[^0-9]/g, '').length >= 13 ? 2 : 0;

/** How many digits of a valid phone are its main number (the rest are an extension). */
export function mainDigitsOf(phone: string): number {
  const ext = /(?:-|转|#)([0-9]{1,6})$/.exec(phone);
  const all = phone.replace(/[^0-9]/g, '').length;
  if (!ext) return all;
  // A hyphen inside a landline (`0571-88888888`) or a grouped mobile is no extension.
  const before = phone.slice(0, ext.index).replace(/[^0-9]/g, '');
  const isMain = /^(?:86)?1[3-9][0-9]{9}$/.test(before) || /^0[0-9]{9,11}$/.test(before);
  return isMain ? before.length : all;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f\u2028\u2029]/;

/** Validates the three fields of a decoded event; a string is the reason one is refused. */
export function parsePersonalFields(o: Record<string, unknown>): PersonalFields | string {
  const out: { -readonly [K in keyof PersonalFields]: PersonalFields[K] } = {};
  const read = (field: string, max: number): string | undefined | { error: string } => {
    const v = o[field];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') return { error: `${field}: must be a string` };
    const t = v.trim();
    if (t === '') return undefined;
    if (codePoints(t) > max) return { error: `${field}: at most ${max} characters` };
    if (CONTROL.test(t)) return { error: `${field}: control characters are not allowed` };
    return t;
  };
  const name = read('recipient_name', PERSONAL_LIMITS.name);
  if (typeof name === 'object') return name.error;
  if (name !== undefined) {
    if (/[0-9]/.test(name)) return 'recipient_name: a name has no digits';
    out.recipientName = name;
  }
  const phone = read('recipient_phone', PERSONAL_LIMITS.phone);
  if (typeof phone === 'object') return phone.error;
  if (phone !== undefined) {
    if (!PHONE.test(phone)) {
      return 'recipient_phone: not a phone number (an 11-digit mobile, optionally +86, or a landline, each optionally with -extension)';
    }
    out.recipientPhone = phone;
  }
  const code = read('pickup_code', PERSONAL_LIMITS.pickupCode);
  if (typeof code === 'object') return code.error;
  if (code !== undefined) out.pickupCode = code;
  return out;
}

/** The fields' hidden forms. */
export function maskPersonal(f: PersonalFields): PersonalFields {
  return {
    ...(f.recipientName === undefined ? {} : { recipientName: maskName(f.recipientName) }),
    ...(f.recipientPhone === undefined
      ? {}
      : {
          recipientPhone: maskPhone(
            f.recipientPhone,
            mainDigitsOf(f.recipientPhone),
            prefixDigitsOf(f.recipientPhone),
          ),
        }),
    ...(f.pickupCode === undefined ? {} : { pickupCode: HIDDEN_CODE }),
  };
}

/** The text drawn after the description: `（收件人：张三，电话：…，取件码：…）`, or '' for none. */
export function personalSuffix(f: PersonalFields): string {
  const parts: string[] = [];
  if (f.recipientName !== undefined) parts.push('收件人：' + f.recipientName);
  if (f.recipientPhone !== undefined) parts.push('电话：' + f.recipientPhone);
  if (f.pickupCode !== undefined) parts.push('取件码：' + f.pickupCode);
  return parts.length === 0 ? '' : '（' + parts.join('，') + '）';
}

/** Whether an event carries any of the fields. */
export const hasPersonal = (f: PersonalFields): boolean =>
  f.recipientName !== undefined || f.recipientPhone !== undefined || f.pickupCode !== undefined;

/**
 * Events without their personal fields, for a reply that every reader gets (a store's write-time
 * reply, which knows no tiers): it must not show them. The same array when none has any.
 */
export function withoutPersonal<E extends PersonalFields>(events: readonly E[]): readonly E[] {
  if (!events.some(hasPersonal)) return events;
  return events.map((e) => {
    if (!hasPersonal(e)) return e;
    const rest = { ...e } as Record<string, unknown>;
    delete rest.recipientName;
    delete rest.recipientPhone;
    delete rest.pickupCode;
    return rest as E;
  });
}
