import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { etaMs, formatBar, formatDuration, formatLine, ProgressReporter } from './progress.js';

const summary = (read: number) => ({
  read,
  inserted: read,
  duplicates: 0,
  rejected: 0,
  conflicts: 0,
  warnings: 0,
});

describe('progress formatting', () => {
  it('writes durations as m:ss and h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65_000)).toBe('1:05');
    expect(formatDuration(3_723_000)).toBe('1:02:03');
  });

  it('draws a bar with lines, rate, elapsed and an ETA when the size is known', () => {
    const p = { records: 250_000, bytes: 25, totalBytes: 100, elapsedMs: 10_000 };
    expect(etaMs(p)).toBe(30_000);
    expect(formatBar(p, 8)).toBe('[##------]  25%  250,000 lines  25,000 ev/s  elapsed 0:10  ETA 0:30');
  });

  it('leaves the bar and ETA out when the size is unknown (stdin)', () => {
    expect(formatBar({ records: 10, bytes: 5, totalBytes: undefined, elapsedMs: 2000 })).toBe(
      '10 lines  5 ev/s  elapsed 0:02',
    );
  });

  it('writes a plain line for logs', () => {
    expect(formatLine({ records: 100, bytes: 50, totalBytes: 100, elapsedMs: 1000 }, summary(100))).toBe(
      'import: 100 lines, 100 events/s, elapsed 0:01, inserted 100, duplicates 0, rejected 0, 50% (ETA 0:01)',
    );
  });
});

describe('ProgressReporter', () => {
  it('prints one plain line per interval when not on a terminal', () => {
    const clock = new ManualClock(0);
    const out: string[] = [];
    const r = new ProgressReporter({ clock, write: (t) => out.push(t), tty: false, lineIntervalMs: 5000 });
    clock.advance(1000);
    r.update(10, 100, summary(10));
    expect(out).toEqual([]);
    clock.advance(4000);
    r.update(20, 100, summary(20));
    clock.advance(1000);
    r.update(30, 100, summary(30));
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^import: 20 lines, 4 events\/s, elapsed 0:05.*\n$/);
    r.finish();
    expect(out).toHaveLength(1);
  });

  it('redraws the bar in place on a terminal and ends its line when done', () => {
    const clock = new ManualClock(0);
    const out: string[] = [];
    const r = new ProgressReporter({ clock, write: (t) => out.push(t), tty: true });
    clock.advance(200);
    r.update(50, 100, summary(10));
    clock.advance(200);
    r.update(100, 100, summary(20));
    expect(out).toHaveLength(2);
    expect(out.every((t) => t.startsWith('\r') && t.endsWith('\x1b[K'))).toBe(true);
    r.finish();
    expect(out.at(-1)).toBe('\n');
  });
});
