/**
 * @module
 * Customer phone numbers in free text, masked; courier and outlet phones kept.
 *
 * A phone is found in code, not by one regular expression: a run of digit groups (single spaces or
 * hyphens between them, as in `138 1234 5678` or `2026-07-04 13812345678`) is searched for
 * consecutive groups that make an 11-digit mainland mobile (`1[3-9]` + 9 digits), optionally
 * after `86`, optionally followed by an extension (`-5678`, `转5678`, `#5678`, 分机): the virtual
 * numbers platforms hand out. Other digit runs (waybill numbers, dates, landlines) are left alone.
 *
 * Whether a mobile is a courier's is read from the words just before it, within the same clause
 * (cut at 。；！？ and line breaks, at most {@link CONTEXT_CHARS} characters back): the nearest role
 * word decides. A courier word (快递员、派件员、网点、客服 …) keeps the number; a customer word
 * (收件人、寄件人 …) or no role word masks it. Masking a number nobody marked is the safe default:
 * the owner still sees it.
 *
 * Pure; linear in the text's length.
 */
import { isDigit, maskPhone } from './masks.js';

/** Words that mark the number after them as a courier's or an outlet's, to be called. */
export const COURIER_WORDS: readonly string[] = Object.freeze([
  '快递员',
  '派件员',
  '揽收员',
  '揽件员',
  '收派员',
  '派送员',
  '配送员',
  '送货员',
  '业务员',
  '快递小哥',
  '小哥',
  '营业部',
  '营业点',
  '网点',
  '站点',
  '驿站',
  '服务站',
  '服务点',
  '分部',
  '门店',
  '代理点',
  '自提点',
  '客服',
  '热线',
  '投诉',
]);

/** Words that mark the number after them as a customer's, even after a courier word. */
export const CUSTOMER_WORDS: readonly string[] = Object.freeze([
  '收件人',
  '寄件人',
  '签收人',
  '代收人',
  '收货人',
  '发件人',
  '取件人',
  '联系人',
  '客户',
  '顾客',
  '用户',
  '本人',
  '买家',
  '卖家',
]);

/** How far back a role word may stand from the number it marks. */
export const CONTEXT_CHARS = 20;

const CLAUSE_END = /[。；;！!？?\n]/;

/** Extensions written with a word rather than a hyphen. */
const WORD_EXTENSION = /^(?:转|#|＃|分机|ext\.?)[ ]?([0-9]{1,6})/i;

interface Group {
  readonly start: number;
  /** Exclusive. */
  readonly end: number;
  readonly digits: number;
}

/** Which of two role words stands nearest the end of `before`: the courier's or the customer's. */
export function isCourierContext(before: string, courierWords: readonly string[]): boolean {
  let from = Math.max(0, before.length - CONTEXT_CHARS);
  for (let i = before.length - 1; i >= from; i--) {
    if (CLAUSE_END.test(before[i]!)) {
      from = i + 1;
      break;
    }
  }
  const window = before.slice(from);
  const nearest = (words: readonly string[]) => {
    let at = -1;
    for (const w of words) {
      const i = window.lastIndexOf(w);
      if (i >= 0 && i + w.length > at) at = i + w.length;
    }
    return at;
  };
  const courier = nearest(courierWords);
  return courier >= 0 && courier > nearest(CUSTOMER_WORDS);
}

/** Digit groups from `i`: digits with single spaces or hyphens between them. */
function groupsFrom(text: string, i: number): Group[] {
  const groups: Group[] = [];
  let start = i;
  let j = i;
  for (;;) {
    while (j < text.length && isDigit(text[j]!)) j++;
    groups.push({ start, end: j, digits: j - start });
    const sep = text[j];
    if ((sep === ' ' || sep === '-') && j + 1 < text.length && isDigit(text[j + 1]!)) {
      start = j + 1;
      j = start;
      continue;
    }
    return groups;
  }
}

/** Fullwidth digits as ASCII ones. */
const ascii = (digits: string): string =>
  digits.replace(/[０-９]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xff10 + 48));
const MOBILE = /^1[3-9][0-9]{9}$/;

/** A mobile in `groups` starting at group `g`: its end group and how many prefix digits (86). */
function mobileAt(
  text: string,
  groups: readonly Group[],
  g: number,
): { last: number; prefix: number } | undefined {
  let digits = '';
  for (let h = g; h < groups.length; h++) {
    digits += ascii(text.slice(groups[h]!.start, groups[h]!.end));
    if (digits.length === 11 && MOBILE.test(digits)) return { last: h, prefix: 0 };
    if (digits.length === 13 && digits.startsWith('86') && MOBILE.test(digits.slice(2)))
      return { last: h, prefix: 2 };
    if (digits.length >= 13) return undefined;
  }
  return undefined;
}

/**
 * `text` with every customer mobile masked (at least 6 digits hidden, an extension entirely).
 * `courierWords` are the words that keep a number: {@link COURIER_WORDS} plus a carrier's own.
 */
export function maskPhones(text: string, courierWords: readonly string[] = COURIER_WORDS): string {
  let out = '';
  let copied = 0;
  let i = 0;
  while (i < text.length) {
    if (!isDigit(text[i]!) || (i > 0 && isDigit(text[i - 1]!))) {
      i++;
      continue;
    }
    const groups = groupsFrom(text, i);
    let resume = groups[groups.length - 1]!.end;
    let g = 0;
    while (g < groups.length) {
      const found = mobileAt(text, groups, g);
      if (!found) {
        g++;
        continue;
      }
      const start = groups[g]!.start;
      let end = groups[found.last]!.end;
      const mainDigits = found.prefix + 11;
      let next = found.last + 1;
      // A hyphenated extension of 1 to 6 digits: a virtual number.
      const ext = groups[next];
      if (ext && ext.digits <= 6 && text[ext.start - 1] === '-') {
        end = ext.end;
        next++;
      } else if (next >= groups.length) {
        const word = WORD_EXTENSION.exec(text.slice(end, end + 12));
        if (word) end += word[0].length;
      }
      if (!isCourierContext(text.slice(0, start), courierWords)) {
        out += text.slice(copied, start) + maskPhone(text.slice(start, end), mainDigits, found.prefix);
        copied = end;
      }
      g = next;
      resume = Math.max(resume, end);
    }
    i = resume;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
