import { describe, expect, it } from 'vitest';
import { formatAcceptTimeFast } from './accept-time.js';
import { formatAcceptTime } from './time.js';

const ZONES = [
  'Asia/Shanghai',
  'America/New_York',
  'Europe/London',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'UTC',
];

describe('formatAcceptTimeFast', () => {
  it('agrees with the exact Intl path across DST edges, minute by minute', () => {
    // Spring-forward and fall-back days of 2026 in New York, London and Lord Howe (30-minute DST).
    const days = [
      Date.UTC(2026, 2, 8),
      Date.UTC(2026, 10, 1),
      Date.UTC(2026, 2, 29),
      Date.UTC(2026, 9, 25),
      Date.UTC(2026, 3, 4),
    ];
    for (const zone of ZONES) {
      for (const day of days) {
        for (let t = day - 86_400_000; t < day + 86_400_000; t += 60_000 + 7_919) {
          expect(formatAcceptTimeFast(t, zone), `${zone} ${t}`).toBe(formatAcceptTime(t, zone));
        }
      }
    }
  });

  it('agrees at random instants from 1970 to 2100', () => {
    let seed = 42;
    const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 5000; i++) {
      const t = Math.floor(rand() * Date.UTC(2100, 0, 1));
      const zone = ZONES[i % ZONES.length]!;
      expect(formatAcceptTimeFast(t, zone), `${zone} ${t}`).toBe(formatAcceptTime(t, zone));
    }
  });

  it('falls back to the exact path before 1970', () => {
    const t = Date.UTC(1901, 0, 1, 3, 4, 5);
    expect(formatAcceptTimeFast(t, 'Asia/Shanghai')).toBe(formatAcceptTime(t, 'Asia/Shanghai'));
  });
});
