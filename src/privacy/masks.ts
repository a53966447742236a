/**
 * @module
 * How a hidden value is written in a stranger's reply, by kind (GB/T 41833-2022《快递电子运单》):
 *
 * - a phone number hides at least 6 digits: `13812345678` → `138******78`. WeChat's own
 *   `masked_real_phone` (`138****5678`) hides 4 and shows the last 4, which are exactly what SF
 *   and ZTO ask a reader for to prove ownership; showing them to every scanner would give the
 *   proof away. An extension (`13800001234-5678`, a virtual number) is hidden entirely;
 * - a name hides every character but the first: `张三` → `张*`, `欧阳娜娜` → `欧***`;
 * - a pickup, locker or gate code is hidden entirely, with a fixed `****` that does not even tell
 *   its length;
 * - a unit or room number in an address is hidden digit by digit: `2单元501室` → `*单元***室`.
 *
 * Pure.
 */

/** What replaces a pickup, locker or gate code, whatever its length. */
export const HIDDEN_CODE = '****';

/** Fullwidth digits (０-９) count as digits: a courier's keyboard may type them. */
export const isDigit = (ch: string): boolean => (ch >= '0' && ch <= '9') || (ch >= '０' && ch <= '９');

/**
 * A run of phone digits with at least 6 hidden: the first 3 and last 2 stay when there are at
 * least 11 digits, only the last 2 from 8 to 10 digits, none below 8.
 */
export function maskDigits(digits: string): string {
  const n = digits.length;
  const hidden = Math.min(n, Math.max(6, n - 5));
  const tail = Math.min(2, n - hidden);
  const head = n - hidden - tail;
  return digits.slice(0, head) + '*'.repeat(hidden) + digits.slice(n - tail);
}

/**
 * A phone number as written (separators kept in place): the digits of its main part (the first
 * `mainDigits`) masked by {@link maskDigits} after a country prefix of `prefixDigits` (86), which
 * stays; the digits of an extension after it hidden.
 */
export function maskPhone(text: string, mainDigits?: number, prefixDigits = 0): string {
  const all: string[] = [];
  for (const ch of text) if (isDigit(ch)) all.push(ch);
  const main = mainDigits ?? all.length;
  const masked =
    all.slice(0, prefixDigits).join('') +
    maskDigits(all.slice(prefixDigits, main).join('')) +
    '*'.repeat(Math.max(0, all.length - main));
  let i = 0;
  let out = '';
  for (const ch of text) out += isDigit(ch) ? masked[i++] : ch;
  return out;
}

/** A name with every character but the first hidden; a one-character name is hidden whole. */
export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** A unit or room number: every character hidden, so its length stays but not its value. */
export function maskUnit(unit: string): string {
  return '*'.repeat([...unit].length);
}
