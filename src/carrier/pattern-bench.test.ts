import { describe, expect, it } from 'vitest';
import { COURIER_CATALOGUE } from './courier-catalogue.js';
import { adversarialInputs, benchmarkPatterns, UNSAFE_SAMPLES } from './pattern-bench.js';

describe('the bounded pattern benchmark (npm run bench:pattern)', () => {
  // A fake clock: each reading is 1 ms later. The figures are then fixed, so the test checks the
  // benchmark's bounds and bookkeeping, never the machine's speed.
  const fakeNow = () => {
    let t = 0;
    return () => t++;
  };

  it('times every catalogue pattern on 64-character adversarial inputs, a fixed number of times', () => {
    const { accepted } = benchmarkPatterns({
      now: fakeNow(),
      iterations: 3,
      blowupBudgetMs: 5,
      blowupMaxLength: 30,
    });
    expect(accepted.map((a) => a.pattern)).toEqual(COURIER_CATALOGUE.map((c) => c.pattern));
    for (const a of accepted) expect(a.matches).toBe(5 * 3);
    // Proving every catalogue pattern safe is CPU-bound (redos-detector); on a shared 2-core
    // machine it has taken over 20 s, so it gets a bound of its own.
  }, 120_000);

  it('builds 64-character inputs', () => {
    for (const input of adversarialInputs(['YT1234567890123'])) expect(input).toHaveLength(64);
  });

  it('refuses every unsafe sample, and stops growing its input at the budget', () => {
    // With the fake clock each match "takes" 1 ms: a 3 ms budget is never reached, so the input
    // grows to the cap (8, 10, ..., 20); a 1 ms budget stops after the first length.
    const capped = benchmarkPatterns({
      now: fakeNow(),
      iterations: 1,
      blowupBudgetMs: 3,
      blowupMaxLength: 20,
    });
    expect(capped.refused.map((r) => r.pattern)).toEqual(UNSAFE_SAMPLES.map((s) => s.pattern));
    for (const r of capped.refused) {
      expect(r.reason).toMatch(/backtrack|proven safe/);
      expect(r.blowup.map((b) => b.length)).toEqual([8, 10, 12, 14, 16, 18, 20]);
    }
    const stopped = benchmarkPatterns({
      now: fakeNow(),
      iterations: 1,
      blowupBudgetMs: 1,
      blowupMaxLength: 40,
    });
    for (const r of stopped.refused) expect(r.blowup.map((b) => b.length)).toEqual([8]);
  });
});
