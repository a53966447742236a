import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { event } from '../store/store.case.test.js';
import { parseAge } from './duration.js';
import {
  DAY_MS,
  logRetention,
  ownRetentionDays,
  retentionPurges,
  retentionWanted,
  startRetention,
  type Timer,
} from './retention.js';
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

  it('keeps each carrier with days of its own on its own cutoff, and every other on the global one', async () => {
    const T = Date.UTC(2026, 0, 1);
    const clock = new ManualClock(T);
    const store = new SqliteStore({ path: ':memory:', clock });
    // 100 days old everywhere: JT keeps 30 days, YTO 365, everyone else (SF, and a carrier the
    // configuration no longer names) the global 90.
    for (const carrier of ['JT', 'YTO', 'SF', 'default'])
      await store.append(carrier, [event({ eventId: carrier, waybill: 'W100', time: T - 100 * DAY_MS })]);
    await store.append('JT', [event({ eventId: 'jt20', waybill: 'W20', time: T - 20 * DAY_MS })]);
    const own = new Map([
      ['JT', 30],
      ['YTO', 365],
    ]);
    const runs: unknown[] = [];
    const r = startRetention({
      store,
      retentionDays: 90,
      carrierDays: () => own,
      clock,
      timer: new FakeTimer(),
      onRun: (o) => runs.push(o),
    });
    await r.run();
    expect(runs).toEqual([
      { removed: { waybills: 1, events: 1 }, cutoff: T - 30 * DAY_MS, carrier: 'JT' },
      { removed: { waybills: 0, events: 0 }, cutoff: T - 365 * DAY_MS, carrier: 'YTO' },
      { removed: { waybills: 2, events: 2 }, cutoff: T - 90 * DAY_MS },
    ]);
    expect(await replyOf(store, 'JT', 'W100')).toBeUndefined();
    expect(await replyOf(store, 'JT', 'W20')).toBeDefined();
    expect(await replyOf(store, 'YTO', 'W100')).toBeDefined();
    expect(await replyOf(store, 'SF', 'W100')).toBeUndefined();
    expect(await replyOf(store, 'default', 'W100')).toBeUndefined();
    r.stop();
    await store.close();
  });

  it('purges only the carriers with days of their own when no global days are set', async () => {
    expect(retentionPurges(undefined, new Map([['JT', 30]]))).toEqual([
      { days: 30, scope: { carrier: 'JT' } },
    ]);
    expect(retentionPurges(180, new Map())).toEqual([{ days: 180, scope: undefined }]);
    expect(retentionWanted(undefined, new Map())).toBe(false);
    expect(retentionWanted(undefined, new Map([['JT', 30]]))).toBe(true);
    expect(ownRetentionDays([{ id: 'A' }, { id: 'B', ingest: { retentionDays: 7 } }])).toEqual(
      new Map([['B', 7]]),
    );
  });

  it('logs each purge with its carrier, and a failure as an error', () => {
    const lines: [string, object, string][] = [];
    const logger = {
      info: (f: object, m: string) => void lines.push(['info', f, m]),
      error: (f: object, m: string) => void lines.push(['error', f, m]),
    };
    logRetention(logger, { removed: { waybills: 1, events: 2 }, cutoff: 0, carrier: 'JT' });
    logRetention(logger, { error: 'x' });
    expect(lines).toEqual([
      [
        'info',
        { waybills: 1, events: 2, cutoff: '1970-01-01T00:00:00.000Z', carrier: 'JT' },
        'retention purge',
      ],
      ['error', { err: 'x' }, 'retention purge failed'],
    ]);
  });
});
