import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { event } from '../store/store.case.test.js';
import { parseAge } from './duration.js';
import { DAY_MS, startRetention, type Timer } from './retention.js';
import { replyOf } from '../testing/render-reply.js';

class FakeTimer implements Timer {
  ticks: (() => void)[] = [];
  intervals: number[] = [];
  cancelled = 0;
  every(ms: number, fn: () => void) {
    this.intervals.push(ms);
    this.ticks.push(fn);
    return { cancel: () => void this.cancelled++ };
  }
}

describe('parseAge', () => {
  it('reads hours, days and weeks', () => {
    expect(parseAge('180d')).toBe(180 * DAY_MS);
    expect(parseAge('2w')).toBe(14 * DAY_MS);
    expect(parseAge('36h')).toBe(36 * 3_600_000);
  });
  it('refuses anything else', () => {
    for (const t of ['', '180', 'd', '0d', '-1d', '1.5d', '3m', '180 days'])
      expect(parseAge(t), t).toBeUndefined();
  });
});

describe('retention', () => {
  it('purges at start and then once a day, by the injected clock', async () => {
    const T = Date.UTC(2026, 0, 1);
    const clock = new ManualClock(T);
    const store = new SqliteStore({ path: ':memory:', clock });
    await store.append('yto', [
      event({ eventId: 'old', waybill: 'OLD', time: T - 200 * DAY_MS }),
      event({ eventId: 'young', waybill: 'YOUNG', time: T - 179 * DAY_MS }),
    ]);
    const timer = new FakeTimer();
    const runs: unknown[] = [];
    const r = startRetention({ store, retentionDays: 180, clock, timer, onRun: (o) => runs.push(o) });
    await r.run(); // the start-up run, already in flight
    expect(timer.intervals).toEqual([DAY_MS]);
    expect(runs).toEqual([{ removed: { waybills: 1, events: 1 }, cutoff: T - 180 * DAY_MS }]);
    expect(await replyOf(store, 'yto', 'OLD')).toBeUndefined();
    expect(await replyOf(store, 'yto', 'YOUNG')).toBeDefined();

    clock.advance(2 * DAY_MS);
    timer.ticks[0]!();
    await r.run();
    expect(runs[1]).toEqual({ removed: { waybills: 1, events: 1 }, cutoff: T + 2 * DAY_MS - 180 * DAY_MS });
    expect(await replyOf(store, 'yto', 'YOUNG')).toBeUndefined();
    r.stop();
    expect(timer.cancelled).toBe(1);
    await store.close();
  });

  it('reports a failing purge instead of throwing', async () => {
    const runs: unknown[] = [];
    const boom = new Error('disk gone');
    const r = startRetention({
      store: { purgeOlderThan: () => Promise.reject(boom) },
      retentionDays: 1,
      clock: new ManualClock(0),
      timer: new FakeTimer(),
      onRun: (o) => runs.push(o),
    });
    await r.run();
    expect(runs).toEqual([{ error: boom }]);
  });
});
