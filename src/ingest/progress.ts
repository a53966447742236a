/**
 * @module
 * Import progress for a person watching: a live bar redrawn in place on a terminal, or one
 * plain line every few seconds when output goes to a log or a pipe (where `\r` redraws would
 * pile up as garbage). Time comes from an injected clock; the reporter is driven by the import's
 * batch callbacks, so it needs no timer of its own.
 */
import type { Clock } from '../clock/clock.js';
import type { ImportSummary } from './import-events.js';

export interface ProgressSnapshot {
  /** Records read so far. */
  readonly records: number;
  /** Bytes of the input read so far. */
  readonly bytes: number;
  /** Input size when known (a file, not stdin). */
  readonly totalBytes: number | undefined;
  readonly elapsedMs: number;
}

const group = (n: number) => Math.round(n).toLocaleString('en-US');

/** `1:05`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Events per second, 0 before any time has passed. */
export const rateOf = (p: ProgressSnapshot): number =>
  p.elapsedMs > 0 ? (p.records * 1000) / p.elapsedMs : 0;

/** Remaining time, extrapolated from the bytes read so far; `undefined` without a known size. */
export function etaMs(p: ProgressSnapshot): number | undefined {
  if (p.totalBytes === undefined || p.totalBytes <= 0 || p.bytes <= 0) return undefined;
  const left = Math.max(0, p.totalBytes - p.bytes);
  return (p.elapsedMs * left) / p.bytes;
}

/** The terminal bar: `[#####-----]  42%  1,234 lines  5,678 ev/s  elapsed 0:10  ETA 0:14`. */
export function formatBar(p: ProgressSnapshot, width = 24): string {
  const tail = `${group(p.records)} lines  ${group(rateOf(p))} ev/s  elapsed ${formatDuration(p.elapsedMs)}`;
  const eta = etaMs(p);
  if (p.totalBytes === undefined || eta === undefined) return tail;
  const frac = Math.min(1, p.bytes / p.totalBytes);
  const filled = Math.round(frac * width);
  const pct = String(Math.floor(frac * 100)).padStart(3);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${pct}%  ${tail}  ETA ${formatDuration(eta)}`;
}

/** The periodic log line: `import: 1234 lines, 5678 events/s, elapsed 0:10, 42% (ETA 0:14)`. */
export function formatLine(p: ProgressSnapshot, s?: ImportSummary): string {
  let line = `import: ${p.records} lines, ${Math.round(rateOf(p))} events/s, elapsed ${formatDuration(p.elapsedMs)}`;
  if (s) line += `, inserted ${s.inserted}, duplicates ${s.duplicates}, rejected ${s.rejected}`;
  const eta = etaMs(p);
  if (p.totalBytes !== undefined && eta !== undefined) {
    line += `, ${Math.floor(Math.min(1, p.bytes / p.totalBytes) * 100)}% (ETA ${formatDuration(eta)})`;
  }
  return line;
}

export interface ProgressReporterOptions {
  readonly clock: Clock;
  readonly write: (text: string) => void;
  /** Redraw a bar in place (a TTY), or print lines. */
  readonly tty: boolean;
  /** Least time between two plain lines, ms; 0 prints one per batch. Default 5000. */
  readonly lineIntervalMs?: number;
  /** Least time between two bar redraws, ms. Default 100. */
  readonly barIntervalMs?: number;
}

/** Turns batch callbacks into bar redraws or periodic lines. */
export class ProgressReporter {
  readonly #o: ProgressReporterOptions;
  readonly #start: number;
  #last: number;
  #drawn = false;

  constructor(options: ProgressReporterOptions) {
    this.#o = options;
    this.#start = options.clock.now();
    this.#last = this.#start;
  }

  /** Elapsed time so far, ms. */
  elapsed(): number {
    return this.#o.clock.now() - this.#start;
  }

  update(bytes: number, totalBytes: number | undefined, summary: ImportSummary): void {
    const now = this.#o.clock.now();
    const every = this.#o.tty ? (this.#o.barIntervalMs ?? 100) : (this.#o.lineIntervalMs ?? 5000);
    if (now - this.#last < every) return;
    this.#last = now;
    const p = { records: summary.read, bytes, totalBytes, elapsedMs: now - this.#start };
    if (this.#o.tty) {
      this.#o.write('\r' + formatBar(p) + '\x1b[K');
      this.#drawn = true;
    } else this.#o.write(formatLine(p, summary) + '\n');
  }

  /** Ends the bar's line, so what follows starts on a fresh one. */
  finish(): void {
    if (this.#drawn) this.#o.write('\n');
    this.#drawn = false;
  }
}
