/**
 * @module
 * A waybill pattern as a set of strings, for the linter. Safe patterns (see pattern-safety.ts)
 * are plain regular languages, so refa turns them into finite automata and we can answer exactly:
 * how many numbers of each length does a pattern accept, and do two patterns share any number
 * (with examples). Pure: no I/O.
 */
import { CharSet, DFA, getIntersectionWords, NFA, type ReadonlyNFA } from 'refa';
import { parseCore } from './pattern-safety.js';

/** Longest orderid WeChat can send us (protocol/query.ts): nothing longer needs counting. */
export const MAX_WAYBILL_LENGTH = 64;

/** Bounds the automata, so a pathological (but safe) pattern cannot exhaust memory. */
const MAX_NODES = 20_000;

/** An inclusive code point range. */
export interface CharRange {
  readonly min: number;
  readonly max: number;
}

/** The characters an orderid may contain: printable ASCII (protocol/query.ts). */
export const PRINTABLE: readonly CharRange[] = Object.freeze([{ min: 0x21, max: 0x7e }]);
export const DIGITS: readonly CharRange[] = Object.freeze([{ min: 0x30, max: 0x39 }]);
export const UPPER_ALNUM: readonly CharRange[] = Object.freeze([
  { min: 0x30, max: 0x39 },
  { min: 0x41, max: 0x5a },
]);

/** The pattern core (no outer anchors) as an NFA. Throws for a pattern that failed the safety check. */
export function patternNfa(core: string): NFA {
  const { expression, maxCharacter } = parseCore(core);
  return NFA.fromRegex(expression, { maxCharacter }, {}, new NFA.LimitedNodeFactory(MAX_NODES));
}

/** Strings of each length (index = length) a pattern accepts, using only `alphabet`. */
export function countPerLength(
  core: string,
  alphabet: readonly CharRange[] = PRINTABLE,
  maxLength = MAX_WAYBILL_LENGTH,
): bigint[] {
  const dfa = DFA.fromFA(patternNfa(core), new DFA.LimitedNodeFactory(MAX_NODES));
  const counts: bigint[] = [];
  // Walk the automaton breadth-first, carrying how many strings reach each state.
  let frontier = new Map<DFA.ReadonlyNode, bigint>([[dfa.initial, 1n]]);
  for (let length = 0; length <= maxLength; length++) {
    let accepted = 0n;
    for (const [node, n] of frontier) if (dfa.finals.has(node as DFA.Node)) accepted += n;
    counts.push(accepted);
    const next = new Map<DFA.ReadonlyNode, bigint>();
    for (const [node, n] of frontier) {
      for (const [range, to] of node.out) {
        const width = overlapWidth(range, alphabet);
        if (width > 0n) next.set(to, (next.get(to) ?? 0n) + n * width);
      }
    }
    frontier = next;
  }
  return counts;
}

function overlapWidth(range: CharRange, alphabet: readonly CharRange[]): bigint {
  let width = 0;
  for (const a of alphabet) {
    const lo = Math.max(range.min, a.min);
    const hi = Math.min(range.max, a.max);
    if (hi >= lo) width += hi - lo + 1;
  }
  return BigInt(width);
}

/** Whether the pattern accepts arbitrarily long strings (`\d+`): then counts stop at 64. */
export function isUnbounded(core: string): boolean {
  return !patternNfa(core).isFinite;
}

/**
 * Up to `limit` printable strings both patterns accept, shortest first; empty when they are
 * disjoint. Each example picks the smallest character of each step, so examples read naturally
 * (`000000000000`).
 */
export function overlapExamples(coreA: string, coreB: string, limit = 3): string[] {
  const a = restrictToPrintable(patternNfa(coreA));
  const b = restrictToPrintable(patternNfa(coreB));
  const out: string[] = [];
  for (const word of getIntersectionWords(a, b, MAX_NODES)) {
    out.push(String.fromCharCode(...word));
    if (out.length >= limit) break;
  }
  return out;
}

function restrictToPrintable(nfa: NFA): ReadonlyNFA {
  const printable = CharSet.fromRange(nfa.maxCharacter, PRINTABLE[0]!);
  const only = NFA.fromCharSet(printable);
  only.quantify(0, Infinity);
  return NFA.fromIntersection(nfa, only, new NFA.LimitedNodeFactory(MAX_NODES));
}
