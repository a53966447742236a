/**
 * @module
 * A bounded benchmark of waybill matching, behind `npm run bench:pattern`: the evidence that a
 * pattern which passed the safety check matches a 64-character orderid fast, whatever the input,
 * and what a refused pattern would have cost. Every loop has a fixed count and the exponential
 * demonstration stops at a time budget, so it always ends. Timing comes from an injected clock:
 * tests run it with a fake one and assert the figures' shape, never their values.
 */
import { COURIER_CATALOGUE } from './courier-catalogue.js';
import { checkWaybillPattern } from './pattern-safety.js';

/** Milliseconds from an arbitrary origin; `performance.now` in the script. */
export type Now = () => number;

export interface AcceptedFigure {
  readonly pattern: string;
  /** Matches timed: inputs × iterations. */
  readonly matches: number;
  /** Mean nanoseconds per match over the adversarial 64-character inputs. */
  readonly nsPerMatch: number;
  /** Slowest single input's mean, nanoseconds per match. */
  readonly worstNsPerMatch: number;
}

export interface RefusedFigure {
  readonly pattern: string;
  readonly reason: string;
  /** How long the safety analysis took to refuse it, ms. */
  readonly analysisMs: number;
  /** Unanchored-input lengths tried against the raw RegExp, and the ms each match took. */
  readonly blowup: readonly { readonly length: number; readonly ms: number }[];
}

export interface BenchOptions {
  readonly now: Now;
  /** Repetitions of each (pattern, input) pair. */
  readonly iterations: number;
  /** Stop growing the input for a refused pattern once one match takes this long, ms. */
  readonly blowupBudgetMs: number;
  /** Longest input tried for a refused pattern. */
  readonly blowupMaxLength: number;
}

/** Refused patterns, each a classic catastrophic shape, with the input that makes it backtrack. */
export const UNSAFE_SAMPLES: readonly {
  readonly pattern: string;
  readonly unit: string;
  readonly tail: string;
}[] = Object.freeze([
  { pattern: '(a+)+', unit: 'a', tail: '!' },
  { pattern: '(\\d|\\d\\d)+', unit: '1', tail: 'x' },
  { pattern: '([A-Z]+)*\\d', unit: 'A', tail: '!' },
]);

/** 64-character inputs built to make a matcher work: near-misses at every length. */
export function adversarialInputs(samples: readonly string[]): string[] {
  const first = samples[0] ?? 'A';
  const prefix = first.replace(/\d+$/, '');
  return [
    '9'.repeat(64),
    prefix + '1'.repeat(63 - prefix.length) + '!',
    (first + '0'.repeat(64)).slice(0, 64),
    'A'.repeat(64),
    '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqr',
  ];
}

export function benchmarkPatterns(options: BenchOptions): {
  accepted: AcceptedFigure[];
  refused: RefusedFigure[];
} {
  const { now, iterations } = options;
  const accepted: AcceptedFigure[] = [];
  for (const courier of COURIER_CATALOGUE) {
    const checked = checkWaybillPattern(courier.pattern);
    if (!checked.ok) throw new Error(`catalogue pattern refused: ${courier.pattern}`);
    const inputs = adversarialInputs(courier.samples);
    let total = 0;
    let worst = 0;
    let sink = 0;
    for (const input of inputs) {
      const start = now();
      for (let i = 0; i < iterations; i++) if (checked.matcher.test(input)) sink++;
      const ms = now() - start;
      total += ms;
      worst = Math.max(worst, (ms * 1e6) / iterations);
    }
    // `sink` keeps the loop from being optimised away; no adversarial input may match.
    if (sink !== 0) throw new Error(`an adversarial input matched ${courier.pattern}`);
    const matches = inputs.length * iterations;
    accepted.push({
      pattern: courier.pattern,
      matches,
      nsPerMatch: (total * 1e6) / matches,
      worstNsPerMatch: worst,
    });
  }

  const refused: RefusedFigure[] = [];
  for (const sample of UNSAFE_SAMPLES) {
    const start = now();
    const checked = checkWaybillPattern(sample.pattern);
    const analysisMs = now() - start;
    if (checked.ok) throw new Error(`unsafe pattern accepted: ${sample.pattern}`);
    // What serving it would cost: the raw anchored RegExp on growing near-miss inputs.
    const raw = new RegExp('^(?:' + sample.pattern + ')$');
    const blowup: { length: number; ms: number }[] = [];
    for (let length = 8; length <= options.blowupMaxLength; length += 2) {
      const input = sample.unit.repeat(length) + sample.tail;
      const t = now();
      raw.test(input);
      const ms = now() - t;
      blowup.push({ length, ms });
      if (ms >= options.blowupBudgetMs) break;
    }
    refused.push({ pattern: sample.pattern, reason: checked.reason, analysisMs, blowup });
  }
  return { accepted, refused };
}
