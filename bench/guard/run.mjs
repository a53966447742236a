// Replay guard benchmark: `npm run bench:guard` (builds dist/ first).
//
// 1. Soak at the bench's full rate: GUARD_RATE new signatures per simulated second (default
//    30,000) for GUARD_SECONDS (default 320) with a GUARD_WINDOW-second window (default 300), all
//    stamped a window ahead (the worst case), replaying earlier signatures still inside their
//    window. Proves no refusal at the rated capacity and no signature forgotten in its window.
// 2. Side by side with the previous guard (two half tables), same capacity and traffic: bytes
//    per guaranteed entry and µs per check, with the old guard's forgotten live entries.
import { performance } from 'node:perf_hooks';
import { ManualClock } from '../../dist/clock/clock.js';
import { guardCapacity } from '../../dist/guard/guard-capacity.js';
import { soakGuard, soakSignature } from '../../dist/guard/guard-soak.js';
import { MemoryReplayGuard } from '../../dist/guard/memory/memory-guard.js';
import { LegacyMemoryReplayGuard } from './legacy-memory-guard.mjs';

const rate = Number(process.env.GUARD_RATE ?? 30_000);
const windowSeconds = Number(process.env.GUARD_WINDOW ?? 300);
const seconds = Number(process.env.GUARD_SECONDS ?? 320);
const out = (line) => process.stdout.write(line + '\n');
const mib = (b) => (b / 2 ** 20).toFixed(1) + ' MiB';
const T0 = 1_750_000_000_000;

// --- 1. soak -------------------------------------------------------------------------------
{
  const capacity = guardCapacity({ windowSeconds, maxRate: rate });
  const clock = new ManualClock(T0);
  const before = process.memoryUsage();
  const guard = new MemoryReplayGuard({ clock, maxEntries: capacity });
  const after = process.memoryUsage();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = soakGuard({
    check: (s, b, e) => guard.checkSync(s, b, e),
    clock,
    windowSeconds,
    rate,
    seconds,
    replaysPerSecond: 1_000,
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const st = guard.stats();
  out(`Soak: ${rate} q/s, ${windowSeconds} s window, ${seconds} s simulated, every query a window ahead`);
  out(`  capacity ${capacity} = ${rate} × (2 × ${windowSeconds} + 1); table ${mib(guard.tableBytes)}`);
  out(
    `  = ${(guard.tableBytes / capacity).toFixed(1)} bytes per guaranteed entry (16 per slot at 80 % load)`,
  );
  out(
    `  arrayBuffers +${mib(after.arrayBuffers - before.arrayBuffers)}, rss +${mib(after.rss - before.rss)} at construction`,
  );
  out(`  rss after soak ${mib(process.memoryUsage().rss)}`);
  out(
    `  ${r.checks} checks in ${(ms / 1000).toFixed(1)} s wall, ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU (${((cpu.user + cpu.system) / r.checks).toFixed(2)} µs CPU per check, soak driver included)`,
  );
  out(`  firsts ${r.firsts}, refused ${r.refused}, false matches ${r.falseMatches}`);
  out(
    `  replays of live signatures ${r.replays}: missed ${r.replaysMissed}; refreshes lost ${r.refreshesLost}`,
  );
  out(`  stats: ${JSON.stringify(st)}`);
  const extra = guard.checkSync('f'.repeat(40), 'b', clock.now() + (2 * windowSeconds + 1) * 1000);
  out(`  one more new signature at full capacity: ${extra}`);
  const ok = r.refused === 0 && r.replaysMissed === 0 && r.refreshesLost === 0 && r.falseMatches === 0;
  out(`  ${ok ? 'PASS' : 'FAIL'}: no refusal at the rated rate, no live signature forgotten\n`);
  await guard.close();
  if (!ok) process.exitCode = 1;
}

// --- 2. side by side -------------------------------------------------------------------------
{
  const cmpRate = Number(process.env.GUARD_CMP_RATE ?? 2_000);
  const cmpSeconds = Number(process.env.GUARD_CMP_SECONDS ?? 700);
  const capacity = guardCapacity({ windowSeconds, maxRate: cmpRate });
  out(
    `Side by side: capacity ${capacity} (${cmpRate} q/s), ${cmpSeconds} s simulated (${cmpRate * cmpSeconds} checks)`,
  );
  const run = (name, make) => {
    const clock = new ManualClock(T0);
    const guard = make(clock);
    let live = 0;
    let forgotten = 0;
    const sigs = Array.from({ length: cmpRate }, () => '');
    let us = 0;
    for (let s = 0; s < cmpSeconds; s++) {
      for (let j = 0; j < cmpRate; j++) sigs[j] = soakSignature(s * cmpRate + j);
      const t = performance.now();
      for (let j = 0; j < cmpRate; j++) {
        clock.set(T0 + s * 1000 + Math.floor((j * 1000) / cmpRate));
        guard.checkSync(sigs[j], 'YT' + j, T0 + (s + 2 * windowSeconds + 1) * 1000);
      }
      us += (performance.now() - t) * 1000;
      // a replay of the signature from 2 × window seconds ago: still inside its window
      if (s >= 2 * windowSeconds) {
        live++;
        const n = (s - 2 * windowSeconds) * cmpRate + 7;
        if (guard.checkSync(soakSignature(n), 'other', T0 + (s + 1) * 1000) !== 'conflict') forgotten++;
      }
    }
    out(
      `  ${name.padEnd(28)} ${(guard.tableBytes / capacity).toFixed(1).padStart(5)} B/entry (${mib(guard.tableBytes)})` +
        `  ${(us / (cmpRate * cmpSeconds)).toFixed(2).padStart(6)} µs/check` +
        `  live replays served: ${forgotten} of ${live}`,
    );
  };
  out('  (the previous guard guarantees only half its maxEntries; the current one all of them)');
  run('previous (two half tables)', (clock) => new LegacyMemoryReplayGuard({ clock, maxEntries: capacity }));
  run('current (compact, refusing)', (clock) => new MemoryReplayGuard({ clock, maxEntries: capacity }));
}
