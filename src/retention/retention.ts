/**
 * @module
 * Server-side retention: with `retentionDays` configured, the server purges waybills whose
 * newest event is older than that, once at start and then daily. Personal data (addresses,
 * phone numbers in descriptions) must not outlive its purpose under PIPL, and a courier should
 * not need a cron job for it.
 *
 * The clock and the timer are injected, so tests run a "day" by calling the tick by hand.
 */
import type { Clock } from '../clock/clock.js';
import type { Eraser } from '../store/roles.js';
import type { Removed } from '../store/store.js';

export const DAY_MS = 86_400_000;

/** Runs a callback periodically; the system one never keeps the process alive. */
export interface Timer {
  every(ms: number, fn: () => void): { cancel(): void };
}

export const systemTimer: Timer = Object.freeze({
  every(ms: number, fn: () => void) {
    const t = setInterval(fn, ms);
    t.unref();
    return { cancel: () => clearInterval(t) };
  },
});

export interface RetentionOptions {
  readonly store: Pick<Eraser, 'purgeOlderThan'>;
  readonly retentionDays: number;
  readonly clock: Clock;
  readonly timer: Timer;
  /** Told what each run removed, or why it failed. */
  readonly onRun: (outcome: { removed: Removed; cutoff: number } | { error: unknown }) => void;
  /** Between runs; a day by default. */
  readonly intervalMs?: number;
}

export interface Retention {
  /** Purges now; resolves when done. Overlapping calls share one run. */
  run(): Promise<void>;
  stop(): void;
}

export function startRetention(options: RetentionOptions): Retention {
  let running: Promise<void> | undefined;
  const run = () =>
    (running ??= (async () => {
      const cutoff = options.clock.now() - options.retentionDays * DAY_MS;
      try {
        options.onRun({ removed: await options.store.purgeOlderThan(cutoff), cutoff });
      } catch (error) {
        options.onRun({ error });
      } finally {
        running = undefined;
      }
    })());
  const handle = options.timer.every(options.intervalMs ?? DAY_MS, () => void run());
  void run();
  return { run, stop: () => handle.cancel() };
}
