/**
 * @module
 * Server-side retention: with `retentionDays` configured, the server purges waybills whose
 * newest event is older than that, once at start and then daily. Personal data (addresses,
 * phone numbers in descriptions) must not outlive its purpose under PIPL, and a courier should
 * not need a cron job for it.
 *
 * A carrier may keep its own number of days (`retentionDays` in the configuration file): each
 * such carrier is purged on its own cutoff, and every other carrier on the global one
 * (`--retention-days`), so one carrier's rule never shortens or lengthens another's. Without any
 * carrier of its own, a run is the one purge across carriers it always was.
 *
 * The clock and the timer are injected, so tests run a "day" by calling the tick by hand.
 */
import type { Clock } from '../clock/clock.js';
import type { Eraser } from '../store/roles.js';
import type { PurgeScope, Removed } from '../store/store.js';

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

/** What one purge of a run removed: of `carrier` alone, or of every carrier without its own days. */
export type RetentionOutcome =
  | { readonly removed: Removed; readonly cutoff: number; readonly carrier?: string }
  | { readonly error: unknown; readonly carrier?: string };

export interface RetentionOptions {
  readonly store: Pick<Eraser, 'purgeOlderThan'>;
  /** Days kept for every carrier without its own; `undefined` keeps theirs forever. */
  readonly retentionDays: number | undefined;
  /** The carriers with days of their own, read at each run (a reload applies); none by default. */
  readonly carrierDays?: () => ReadonlyMap<string, number>;
  readonly clock: Clock;
  readonly timer: Timer;
  /** Told what each purge of a run removed, or why it failed. */
  readonly onRun: (outcome: RetentionOutcome) => void;
  /** Between runs; a day by default. */
  readonly intervalMs?: number;
}

export interface Retention {
  /** Purges now; resolves when done. Overlapping calls share one run. */
  run(): Promise<void>;
  stop(): void;
}

/** The purges of one run: each carrier with its own days, then everyone else on the global days. */
export function retentionPurges(
  retentionDays: number | undefined,
  carrierDays: ReadonlyMap<string, number>,
): { readonly days: number; readonly scope: PurgeScope | undefined }[] {
  const own = [...carrierDays].map(([carrier, days]) => ({ days, scope: { carrier } as PurgeScope }));
  if (retentionDays === undefined) return own;
  const rest = carrierDays.size === 0 ? undefined : { except: [...carrierDays.keys()] };
  return [...own, { days: retentionDays, scope: rest }];
}

/** Whether retention has anything to purge: global days, or a carrier with its own. */
export function retentionWanted(retentionDays: number | undefined, carrierDays: ReadonlyMap<string, number>) {
  return retentionDays !== undefined || carrierDays.size > 0;
}

/** The carriers with a `retentionDays` of their own, by id. */
export function ownRetentionDays(
  carriers: readonly { readonly id: string; readonly ingest?: { readonly retentionDays?: number } }[],
): ReadonlyMap<string, number> {
  const out = new Map<string, number>();
  for (const c of carriers) if (c.ingest?.retentionDays !== undefined) out.set(c.id, c.ingest.retentionDays);
  return out;
}

export function startRetention(options: RetentionOptions): Retention {
  let running: Promise<void> | undefined;
  const run = () =>
    (running ??= (async () => {
      const now = options.clock.now();
      const purges = retentionPurges(options.retentionDays, options.carrierDays?.() ?? new Map());
      try {
        for (const { days, scope } of purges) {
          const cutoff = now - days * DAY_MS;
          const carrier = scope !== undefined && 'carrier' in scope ? { carrier: scope.carrier } : {};
          try {
            options.onRun({ removed: await options.store.purgeOlderThan(cutoff, scope), cutoff, ...carrier });
          } catch (error) {
            options.onRun({ error, ...carrier });
          }
        }
      } finally {
        running = undefined;
      }
    })());
  const handle = options.timer.every(options.intervalMs ?? DAY_MS, () => void run());
  void run();
  return { run, stop: () => handle.cancel() };
}

/** The log line of one purge: what it removed and its cutoff, or why it failed. */
export function logRetention(
  logger: {
    info(fields: object, message: string): void;
    error(fields: object, message: string): void;
  },
  outcome: RetentionOutcome,
): void {
  const carrier = outcome.carrier === undefined ? {} : { carrier: outcome.carrier };
  if ('error' in outcome) logger.error({ err: outcome.error, ...carrier }, 'retention purge failed');
  else
    logger.info(
      { ...outcome.removed, cutoff: new Date(outcome.cutoff).toISOString(), ...carrier },
      'retention purge',
    );
}
