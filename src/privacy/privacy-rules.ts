/**
 * @module
 * A carrier's privacy settings (`carriers[].privacy` in wxtrack.config.json), checked and compiled:
 *
 * - `mask` (default `true`): strangers get the masked reply. Turning it off needs a `reason` of
 *   at least {@link MIN_REASON_CHARS} characters, shown by `config check`, so that a reply with
 *   personal data for every scanner is a decision someone wrote down (PIPL art. 6);
 * - `courierWords`: the carrier's own words that mark a phone as a courier's or outlet's, on top
 *   of the built-in ones (phone-scan.ts);
 * - `rules`: the carrier's own patterns (`pattern`, `hide`: name, phone, code or unit), applied
 *   before the built-in ones; each passes the ReDoS lint of waybill patterns;
 * - `examples`: the carrier's own trace texts with the masked text it expects. They are checked
 *   every time the configuration is loaded, so a rule that stops doing what its carrier expects
 *   refuses to start rather than leaking.
 *
 * Pure.
 */
import { checkWaybillPattern } from '../carrier/pattern-safety.js';
import { compileRule, HIDDEN_KINDS, type HiddenKind, type KeywordRule } from './keyword-rules.js';
import { maskText } from './mask-text.js';
import { COURIER_WORDS } from './phone-scan.js';

export const MIN_REASON_CHARS = 10;

/** The section as written. */
export interface RawPrivacy {
  readonly mask?: boolean;
  readonly reason?: string;
  readonly courierWords?: readonly string[];
  readonly rules?: readonly { readonly pattern: string; readonly hide: HiddenKind }[];
  readonly examples?: readonly { readonly text: string; readonly masked: string }[];
}

/** The section checked and compiled: what masking runs on. */
export interface PrivacyRules {
  /** Whether strangers get the masked reply. */
  readonly mask: boolean;
  /** Why masking is off, when it is. */
  readonly reason?: string;
  /** Built-in courier words plus the carrier's. */
  readonly courierWords: readonly string[];
  /** The carrier's own rules, compiled; they run before the built-in ones. */
  readonly rules: readonly KeywordRule[];
}

/** Masking on with the built-in rules: a new configuration's setting. */
export const DEFAULT_PRIVACY: PrivacyRules = Object.freeze({
  mask: true,
  courierWords: COURIER_WORDS,
  rules: Object.freeze([]),
});

export type PrivacyCompiled =
  | { readonly ok: true; readonly rules: PrivacyRules }
  | { readonly ok: false; readonly errors: readonly string[] };

/** Checks and compiles a carrier's section; `at` prefixes every error (`carriers[0].privacy`). */
export function compilePrivacy(raw: RawPrivacy | undefined, at: string): PrivacyCompiled {
  if (raw === undefined) return { ok: true, rules: DEFAULT_PRIVACY };
  const errors: string[] = [];
  const mask = raw.mask ?? true;
  const reason = raw.reason?.trim();
  if (!mask && (reason === undefined || [...reason].length < MIN_REASON_CHARS)) {
    errors.push(
      `${at}.reason: masking is off, so every scanner sees names, phones and pickup codes; say why in at least ${MIN_REASON_CHARS} characters`,
    );
  }
  const rules: KeywordRule[] = [];
  (raw.rules ?? []).forEach((r, i) => {
    if (!HIDDEN_KINDS.includes(r.hide)) {
      errors.push(`${at}.rules[${i}].hide: must be one of ${HIDDEN_KINDS.join(', ')}`);
      return;
    }
    const check = checkWaybillPattern(r.pattern);
    if (!check.ok) {
      errors.push(
        `${at}.rules[${i}].pattern: ${check.reason.replace('a waybill pattern', 'a privacy rule')}`,
      );
      return;
    }
    rules.push(compileRule(check.core, r.hide));
  });
  const courierWords = Object.freeze([...COURIER_WORDS, ...(raw.courierWords ?? [])]);
  const compiled: PrivacyRules = Object.freeze({
    mask,
    ...(reason === undefined ? {} : { reason }),
    courierWords,
    rules: Object.freeze(rules),
  });
  if (errors.length === 0) {
    (raw.examples ?? []).forEach((ex, i) => {
      const got = maskText(ex.text, { ...compiled, mask: true });
      if (got !== ex.masked) {
        errors.push(`${at}.examples[${i}]: masks to "${got}", expected "${ex.masked}"`);
      }
    });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, rules: compiled };
}
