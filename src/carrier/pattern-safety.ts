/**
 * @module
 * Whether a waybill pattern may be registered at all. A courier's pattern runs on every query,
 * on input an attacker chooses, so a pattern is refused when:
 *
 * - it is longer than {@link PATTERN_LIMITS.maxLength} code points (nobody reviews a longer one);
 * - it is not a valid JavaScript regular expression;
 * - it uses lookarounds, word boundaries, inner anchors or backreferences: a waybill format never
 *   needs them, and without them the pattern is a plain regular language that the linter can
 *   reason about exactly (breadth, collisions);
 * - it matches the empty string;
 * - redos-detector (a maintained ReDoS analyser) finds a way to backtrack catastrophically, such
 *   as `(a+)+` or `(a|a)*`, or cannot prove the contrary within a fixed number of steps.
 *
 * The analyser is bounded by steps, not by wall-clock time, so the verdict is the same on every
 * machine and in every test run. Pure: no I/O.
 */
import { isSafe } from 'redos-detector';
import { JS } from 'refa';
import { codePoints } from '../protocol/order-info.js';

export const PATTERN_LIMITS = Object.freeze({
  /** Longest pattern accepted, in code points. */
  maxLength: 200,
  /** redos-detector's step budget; running out of it counts as unsafe (fail closed). */
  redosMaxSteps: 2000,
  /** redos-detector's backtrack score above which a pattern is unsafe (its own default). */
  redosMaxScore: 200,
});

export type PatternCheck =
  | {
      readonly ok: true;
      /** The pattern anchored on both ends, compiled. */
      readonly matcher: RegExp;
      /** The pattern without a leading `^` / trailing `$`: what the linter analyses. */
      readonly core: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Drops one leading `^` and one unescaped trailing `$`: we anchor both ends ourselves. */
export function stripOuterAnchors(source: string): string {
  let s = source.startsWith('^') ? source.slice(1) : source;
  if (s.endsWith('$')) {
    let backslashes = 0;
    for (let i = s.length - 2; i >= 0 && s[i] === '\\'; i--) backslashes++;
    if (backslashes % 2 === 0) s = s.slice(0, -1);
  }
  return s;
}

/** Whether a regexpp AST node (or anything below it) is a backreference. */
function hasBackreference(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false;
  if ((node as { type?: unknown }).type === 'Backreference') return true;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'parent' || key === 'resolved') continue;
    if (Array.isArray(value) ? value.some(hasBackreference) : hasBackreference(value)) return true;
  }
  return false;
}

/** Parses the core with refa, refusing assertions and backreferences outright (both throw). */
export function parseCore(core: string): ReturnType<JS.Parser['parse']> {
  const parser = JS.Parser.fromLiteral({ source: core, flags: '' });
  // refa would quietly resolve a backreference to its group's language; we refuse it instead.
  if (hasBackreference(parser.ast.pattern)) throw new Error('backreference');
  return parser.parse({ assertions: 'throw', backreferences: 'throw' });
}

/** Checks a pattern for registration; the reason says what to fix. */
export function checkWaybillPattern(source: string): PatternCheck {
  const length = codePoints(source);
  if (length === 0) return { ok: false, reason: 'empty' };
  if (length > PATTERN_LIMITS.maxLength) {
    return { ok: false, reason: `${length} characters, at most ${PATTERN_LIMITS.maxLength}` };
  }
  const core = stripOuterAnchors(source);
  let matcher: RegExp;
  try {
    matcher = new RegExp('^(?:' + core + ')$');
  } catch (err) {
    return { ok: false, reason: `not a valid regular expression: ${(err as Error).message}` };
  }
  try {
    parseCore(core);
  } catch (err) {
    const message = (err as Error).message;
    return {
      ok: false,
      reason: /backreference/i.test(message)
        ? 'backreferences are not supported in a waybill pattern'
        : 'lookarounds, word boundaries and inner anchors are not supported in a waybill pattern',
    };
  }
  if (matcher.test('')) return { ok: false, reason: 'matches the empty string' };
  const verdict = isSafe(matcher, {
    maxSteps: PATTERN_LIMITS.redosMaxSteps,
    maxScore: PATTERN_LIMITS.redosMaxScore,
  });
  if (!verdict.safe) {
    const why =
      verdict.error === 'hitMaxSteps'
        ? 'could not be proven safe within the analysis budget'
        : 'can backtrack catastrophically';
    return {
      ok: false,
      reason: `${why} (nested or overlapping quantifiers such as (a+)+ or (a|a)*); rewrite it so each character can be matched only one way`,
    };
  }
  return { ok: true, matcher, core };
}
