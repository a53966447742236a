// Bounded benchmark of waybill matching: `npm run bench:pattern` (builds dist/ first).
// Accepted (catalogue) patterns on 64-character adversarial orderids, and what the refused
// catastrophic patterns would cost on short inputs, stopping at a 250 ms budget.
import { performance } from 'node:perf_hooks';
import { benchmarkPatterns } from '../../dist/carrier/pattern-bench.js';

const iterations = Number(process.env.BENCH_ITERATIONS ?? 200_000);
const { accepted, refused } = benchmarkPatterns({
  now: () => performance.now(),
  iterations,
  blowupBudgetMs: 250,
  blowupMaxLength: 40,
});

process.stdout.write(`Accepted patterns, 64-character adversarial orderids, ${iterations} runs per input\n`);
for (const a of accepted) {
  process.stdout.write(
    `  ${a.pattern.padEnd(40)} mean ${a.nsPerMatch.toFixed(0).padStart(5)} ns/match, worst input ${a.worstNsPerMatch.toFixed(0).padStart(5)} ns/match\n`,
  );
}
const worst = Math.max(...accepted.map((a) => a.worstNsPerMatch));
process.stdout.write(`  worst of all: ${worst.toFixed(0)} ns per match\n\n`);

process.stdout.write(
  'Refused patterns: analysis time, and one raw match on a near-miss input of growing length\n',
);
for (const r of refused) {
  const last = r.blowup[r.blowup.length - 1];
  process.stdout.write(
    `  ${r.pattern.padEnd(16)} refused in ${r.analysisMs.toFixed(1)} ms; raw match: ` +
      r.blowup.map((b) => `${b.length} chars ${b.ms.toFixed(1)} ms`).join(', ') +
      (last && last.ms >= 250 ? ' (budget reached)' : '') +
      '\n',
  );
}
