/**
 * @module
 * The fast path of accept-time.ts is taken when it should be, and its cache stays bounded.
 * Agreement with the exact `Intl` path alone cannot show this: a fast path that always fell back
 * would agree too. So `formatAcceptTime` (the exact path) is wrapped to count its calls.
 */
import { describe, expect, it, vi } from 'vitest';
import { formatAcceptTime as exact } from './time.js';

// A plain counter rather than vi.fn, which would record each of the bound test's 400k calls.
const exactPath = vi.hoisted(() => ({
  calls: 0,
  /** Replaces Intl when set. */
  standIn: undefined as ((epochMs: number, timeZone: string) => string) | undefined,
}));

vi.mock('./time.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./time.js')>();
  return {
    ...real,
    formatAcceptTime: (epochMs: number, timeZone: string) => {
      exactPath.calls++;
      return (exactPath.standIn ?? real.formatAcceptTime)(epochMs, timeZone);
    },
  };
});

const SLICE_MS = 15 * 60_000;

/** A fresh accept-time module: an empty cache. */
async function fresh() {
  vi.resetModules();
  exactPath.standIn = undefined;
  return import('./accept-time.js');
}

/** Calls of the exact path while `run` runs. */
function exactCalls(run: () => void): number {
  const before = exactPath.calls;
  run();
  return exactPath.calls - before;
}

describe('formatAcceptTimeFast: the cache', () => {
  it('asks Intl twice for a new slice of time, then never again within it', async () => {
    const { formatAcceptTimeFast } = await fresh();
    const slice = Math.floor(Date.UTC(2026, 6, 8, 4, 0) / SLICE_MS);
    // The slice right before New York springs forward (2026-03-08 07:00 UTC) is still uniform.
    const beforeDst = Date.UTC(2026, 2, 8, 7, 0) / SLICE_MS - 1;
    for (const [zone, s] of [
      ['Asia/Shanghai', slice],
      ['America/New_York', beforeDst],
    ] as const) {
      const start = s * SLICE_MS;
      const instants = [start, start + 1, start + 437_123, start + SLICE_MS - 1];
      const texts: string[] = [];
      expect(exactCalls(() => texts.push(formatAcceptTimeFast(instants[0]!, zone)))).toBe(2);
      for (const t of instants.slice(1)) {
        expect(
          exactCalls(() => texts.push(formatAcceptTimeFast(t, zone))),
          `${zone} ${t}`,
        ).toBe(0);
      }
      expect(texts).toEqual(instants.map((t) => exact(t, zone)));
    }
  });

  it('keeps zones apart, even when a zone name ends in digits', async () => {
    const { formatAcceptTimeFast } = await fresh();
    // "Etc/GMT+1" + slice 1900000 and "Etc/GMT+11" + slice 900000 spell the same digits.
    const a = 1_900_000 * SLICE_MS;
    const b = 900_000 * SLICE_MS;
    expect(formatAcceptTimeFast(a, 'Etc/GMT+1')).toBe(exact(a, 'Etc/GMT+1'));
    expect(formatAcceptTimeFast(b, 'Etc/GMT+11')).toBe(exact(b, 'Etc/GMT+11'));
  });

  it('takes the exact path inside a slice that holds an offset change off the quarter hour', async () => {
    const { formatAcceptTimeFast } = await fresh();
    // Monrovia moved from UTC-0:44:30 to UTC at 1972-01-07 00:44:30 UTC, inside the slice
    // 00:30–00:45: the slice's first offset is wrong for its last seconds.
    for (let t = Date.UTC(1972, 0, 7, 0, 0); t < Date.UTC(1972, 0, 7, 1, 30); t += 10_000) {
      expect(formatAcceptTimeFast(t, 'Africa/Monrovia'), String(t)).toBe(exact(t, 'Africa/Monrovia'));
    }
  });

  it('takes the exact path outside the years 1970 to 9999', async () => {
    const { formatAcceptTimeFast } = await fresh();
    const year = (y: number) => {
      const d = new Date(Date.UTC(2000, 4, 6, 7, 8, 9));
      d.setUTCFullYear(y);
      return d.getTime();
    };
    for (const t of [year(50), year(999), year(1969), year(10_000), year(12_345), -1]) {
      expect(formatAcceptTimeFast(t, 'Asia/Shanghai'), String(t)).toBe(exact(t, 'Asia/Shanghai'));
    }
  });

  it('holds at most OFFSET_CACHE_ENTRIES slices, then starts afresh', async () => {
    const { formatAcceptTimeFast, OFFSET_CACHE_ENTRIES } = await fresh();
    // A cheap stand-in for Intl (a zone at UTC), so that filling the cache costs little.
    exactPath.standIn = (ms) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
    const zone = 'Test/Bound';
    for (let s = 0; s < OFFSET_CACHE_ENTRIES; s++) formatAcceptTimeFast(s * SLICE_MS, zone);
    const first = () => expect(formatAcceptTimeFast(0, zone)).toBe('1970-01-01 00:00:00');
    expect(exactCalls(first), 'the first slice is still cached when the cache is just full').toBe(0);
    formatAcceptTimeFast(OFFSET_CACHE_ENTRIES * SLICE_MS, zone);
    expect(exactCalls(first), 'one more slice emptied the cache').toBe(2);
  });
});
