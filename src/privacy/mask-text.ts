/**
 * @module
 * The safety net over free text (a trace's label and description, its location): what a stranger
 * sees of text a courier's scanners wrote, where personal data hides without a field of its own.
 * In order: the carrier's rules, pickup codes, names, unit and room numbers, then customer mobiles
 * (each step's `*` stops the next from reading a masked value again). Pure.
 */
import { applyRule, BUILT_IN_RULES } from './keyword-rules.js';
import { maskPhones } from './phone-scan.js';
import type { PrivacyRules } from './privacy-rules.js';

/** `text` as a stranger may see it; unchanged when the carrier turned masking off. */
export function maskText(text: string, rules: PrivacyRules): string {
  if (!rules.mask || text === '') return text;
  let out = text;
  for (const rule of rules.rules) out = applyRule(out, rule);
  for (const rule of BUILT_IN_RULES) out = applyRule(out, rule);
  return maskPhones(out, rules.courierWords);
}
