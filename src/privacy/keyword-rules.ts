/**
 * @module
 * Masking rules that key on a word: a rule is a regular expression whose first capture group (or,
 * without one, the whole match) is the value to hide, and the kind of value it is, which says how
 * it is hidden (masks.ts). The built-in rules:
 *
 * - names after 签收人、收件人、寄件人、代收人 …: `签收人：张三` → `签收人：张*`, except 本人 and
 *   the like (前台、门卫、快递柜 …), which name nobody;
 * - pickup, locker and gate codes after 取件码、提货码、取件密码、柜号 …, hidden entirely;
 * - unit and room numbers in an address: `2单元501室` → `*单元***室`.
 *
 * A carrier's own rules (privacy-rules.ts) have the same shape and run first. Every rule, built-in
 * or the carrier's, passes the ReDoS lint waybill patterns pass (carrier/pattern-safety.ts; a test
 * checks the built-ins), since rules run over text a courier's scanners wrote. A rule is applied as
 * a global search over one trace's text, at most 512 characters (EVENT_LIMITS), so even a
 * polynomial pattern costs little. Pure.
 */
import { HIDDEN_CODE, maskName, maskPhone, maskUnit } from './masks.js';

/** How a matched value is hidden. */
export type HiddenKind = 'name' | 'phone' | 'code' | 'unit';

export const HIDDEN_KINDS: readonly HiddenKind[] = Object.freeze(['name', 'phone', 'code', 'unit']);

export interface KeywordRule {
  /** The pattern as written (for messages and the lint). */
  readonly source: string;
  /** Compiled with `dg`: global, with match indices. */
  readonly regex: RegExp;
  readonly hide: HiddenKind;
}

/** Words a name field holds that name nobody: kept. */
export const NOT_A_NAME: readonly string[] = Object.freeze([
  '本人',
  '家人',
  '他人',
  '前台',
  '门卫',
  '物业',
  '保安',
  '同事',
  '邻居',
  '快递柜',
  '智能柜',
  '丰巢',
  '驿站',
  '代收点',
]);

/** What may follow a role word without being a name: `收件人电话`, `收件人已签收`. */
const NOT_A_NAME_START = /^(?:电话|手机|号码|地址|联系|信息|签收|代收|取件|已|在|于|的|将|请|您)/;

/** Where a captured name stops: the words that follow a name in a trace (`张三已签收`). */
const AFTER_NAME = /(?:已|在|于|的|将|请|您|签收|代收|取件|本人)/;

const NAME_WORDS = '签收人|收件人|寄件人|代收人|收货人|发件人|取件人';
const CODE_WORDS =
  '取件码|提货码|取件密码|提货密码|取货码|取件号|柜号|柜门号|格口号|箱号|开箱码|门禁码|验证码';

/** The built-in rules' sources, in the order they apply. */
export const BUILT_IN_RULE_SOURCES: readonly { readonly source: string; readonly hide: HiddenKind }[] =
  Object.freeze([
    {
      source: `(?:${CODE_WORDS})[:：\\s【\\[（(「为是#]{0,3}([0-9A-Za-z０-９][0-9A-Za-z０-９-]{0,23})`,
      hide: 'code',
    },
    {
      source: `(?:${NAME_WORDS})(?:姓名)?[:：\\s【\\[（(「]{0,3}([\\u4e00-\\u9fff·]{1,6}|[A-Za-z]{1,20})`,
      hide: 'name',
    },
    { source: '([0-9０-９A-Za-z一二三四五六七八九十]{1,6})(?:单元|室|号房|房间)', hide: 'unit' },
  ]);

export const compileRule = (source: string, hide: HiddenKind): KeywordRule => ({
  source,
  regex: new RegExp(source, 'dg'),
  hide,
});

export const BUILT_IN_RULES: readonly KeywordRule[] = Object.freeze(
  BUILT_IN_RULE_SOURCES.map((r) => compileRule(r.source, r.hide)),
);

/** The hidden form of a value, or `undefined` to keep it (a name that names nobody). */
function hideValue(value: string, hide: HiddenKind): string | undefined {
  switch (hide) {
    case 'code':
      return HIDDEN_CODE;
    case 'phone':
      return maskPhone(value);
    case 'unit':
      return maskUnit(value);
    case 'name': {
      // `签收人为张三`: 为/是 are Han characters too, so the rule's capture starts with them.
      const verb = /^[为是](?=.)/u.test(value) ? value[0]! : '';
      const rest = value.slice(verb.length);
      if (NOT_A_NAME_START.test(rest)) return undefined;
      const cut = AFTER_NAME.exec(rest);
      const name = cut ? rest.slice(0, cut.index) : rest;
      if (name === '' || NOT_A_NAME.some((w) => name.startsWith(w))) return undefined;
      return verb + maskName(name) + rest.slice(name.length);
    }
  }
}

/** `text` with every value `rule` finds hidden. */
export function applyRule(text: string, rule: KeywordRule): string {
  rule.regex.lastIndex = 0;
  let out = '';
  let copied = 0;
  for (let m = rule.regex.exec(text); m !== null; m = rule.regex.exec(text)) {
    if (m[0] === '') {
      rule.regex.lastIndex++;
      continue;
    }
    const [start, end] = m.indices?.[1] ?? m.indices![0]!;
    const hidden = hideValue(text.slice(start, end), rule.hide);
    if (hidden === undefined) continue;
    out += text.slice(copied, start) + hidden;
    copied = end;
  }
  return copied === 0 ? text : out + text.slice(copied);
}
