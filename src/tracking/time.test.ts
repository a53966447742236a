import { describe, expect, it } from 'vitest';
import { formatAcceptTime, isCalendarDate, isValidTimeZone, parseIsoTime } from './time.js';

const SH = 'Asia/Shanghai';
const NY = 'America/New_York';

describe('parseIsoTime', () => {
  describe('with an offset', () => {
    it('reads Z as UTC', () => {
      expect(parseIsoTime('2026-07-04T12:34:56Z', SH)).toBe(Date.UTC(2026, 6, 4, 12, 34, 56));
    });

    it('reads +08:00, +0800 and +08 as eight hours east of UTC', () => {
      const expected = Date.UTC(2020, 6, 4, 12, 47, 3);
      expect(parseIsoTime('2020-07-04T20:47:03+08:00', 'UTC')).toBe(expected);
      expect(parseIsoTime('2020-07-04T20:47:03+0800', 'UTC')).toBe(expected);
      expect(parseIsoTime('2020-07-04T20:47:03+08', 'UTC')).toBe(expected);
    });

    it('reads -05:00 as five hours west of UTC, across midnight', () => {
      expect(parseIsoTime('2026-01-15T21:00:00-05:00', SH)).toBe(Date.UTC(2026, 0, 16, 2, 0, 0));
    });

    it('applies the sign to the minutes of the offset too', () => {
      expect(parseIsoTime('2026-01-01T00:00:00+05:30', 'UTC')).toBe(Date.UTC(2025, 11, 31, 18, 30));
      expect(parseIsoTime('2026-01-01T00:00:00-03:30', 'UTC')).toBe(Date.UTC(2026, 0, 1, 3, 30));
    });

    it('ignores the zone argument when the text carries an offset', () => {
      const text = '2026-07-04T20:47:03+08:00';
      expect(parseIsoTime(text, NY)).toBe(parseIsoTime(text, SH));
      expect(parseIsoTime(text, NY)).toBe(Date.UTC(2026, 6, 4, 12, 47, 3));
    });

    it('accepts a space instead of T between date and time', () => {
      expect(parseIsoTime('2026-07-04 12:00:00Z', SH)).toBe(Date.UTC(2026, 6, 4, 12));
    });
  });

  describe('without an offset', () => {
    it('reads the wall time in Asia/Shanghai (UTC+8, no DST)', () => {
      expect(parseIsoTime('2020-07-04 20:47:03', SH)).toBe(Date.UTC(2020, 6, 4, 12, 47, 3));
      expect(parseIsoTime('2020-07-04T20:47:03', SH)).toBe(Date.UTC(2020, 6, 4, 12, 47, 3));
      expect(parseIsoTime('2026-01-04T20:47:03', SH)).toBe(Date.UTC(2026, 0, 4, 12, 47, 3));
    });

    it('reads the wall time in America/New_York with its summer and winter offsets', () => {
      expect(parseIsoTime('2026-07-04T12:00:00', NY)).toBe(Date.UTC(2026, 6, 4, 16)); // EDT, -4
      expect(parseIsoTime('2026-01-04T12:00:00', NY)).toBe(Date.UTC(2026, 0, 4, 17)); // EST, -5
    });

    it('gets the offset right on both sides of the spring-forward edge', () => {
      // 2026-03-08 02:00 EST becomes 03:00 EDT (07:00Z).
      expect(parseIsoTime('2026-03-08T01:59:59', NY)).toBe(Date.UTC(2026, 2, 8, 6, 59, 59));
      expect(parseIsoTime('2026-03-08T03:00:00', NY)).toBe(Date.UTC(2026, 2, 8, 7, 0, 0));
      expect(parseIsoTime('2026-03-08T03:30:00', NY)).toBe(Date.UTC(2026, 2, 8, 7, 30));
    });

    it('gets the offset right on both sides of the fall-back edge', () => {
      // 2026-11-01 02:00 EDT becomes 01:00 EST (06:00Z); 01:00-01:59 happens twice.
      expect(parseIsoTime('2026-11-01T00:59:59', NY)).toBe(Date.UTC(2026, 10, 1, 4, 59, 59));
      expect(parseIsoTime('2026-11-01T02:00:00', NY)).toBe(Date.UTC(2026, 10, 1, 7, 0, 0));
      const ambiguous = parseIsoTime('2026-11-01T01:30:00', NY);
      expect([Date.UTC(2026, 10, 1, 5, 30), Date.UTC(2026, 10, 1, 6, 30)]).toContain(ambiguous);
    });

    it('round-trips every hour of a DST year in New York through formatAcceptTime', () => {
      const start = Date.UTC(2026, 0, 1);
      const end = Date.UTC(2027, 0, 1);
      const wrong: string[] = [];
      let checked = 0;
      for (let t = start; t < end; t += 3_600_000 + 61_000) {
        const wall = formatAcceptTime(t, NY);
        const back = parseIsoTime(wall, NY);
        // Exact, except in the repeated fall-back hour where either reading is the same wall time.
        const ok =
          back !== undefined &&
          formatAcceptTime(back, NY) === wall &&
          [0, 3_600_000].includes(Math.abs(back - (t - (t % 1000))));
        if (!ok) wrong.push(`${wall} -> ${back === undefined ? 'undefined' : new Date(back).toISOString()}`);
        checked++;
      }
      expect(wrong).toEqual([]);
      expect(checked).toBeGreaterThan(8000);
    });

    it('reads a date alone as midnight in the zone', () => {
      expect(parseIsoTime('2026-07-04', SH)).toBe(Date.UTC(2026, 6, 3, 16));
      expect(parseIsoTime('2026-07-04', NY)).toBe(Date.UTC(2026, 6, 4, 4));
    });

    it('reads a time without seconds as :00', () => {
      expect(parseIsoTime('2026-07-04T20:47', SH)).toBe(Date.UTC(2026, 6, 4, 12, 47, 0));
    });
  });

  describe('fractions of a second', () => {
    it('keeps milliseconds, padding short fractions', () => {
      expect(parseIsoTime('2026-07-04T12:00:00.5Z', SH)).toBe(Date.UTC(2026, 6, 4, 12, 0, 0, 500));
      expect(parseIsoTime('2026-07-04T12:00:00.05Z', SH)).toBe(Date.UTC(2026, 6, 4, 12, 0, 0, 50));
      expect(parseIsoTime('2026-07-04T12:00:00.123Z', SH)).toBe(Date.UTC(2026, 6, 4, 12, 0, 0, 123));
    });

    it('truncates digits beyond milliseconds (up to nine digits)', () => {
      expect(parseIsoTime('2026-07-04T12:00:00.123456789Z', SH)).toBe(Date.UTC(2026, 6, 4, 12, 0, 0, 123));
      expect(parseIsoTime('2026-07-04T12:00:00.9999Z', SH)).toBe(Date.UTC(2026, 6, 4, 12, 0, 0, 999));
    });

    it('accepts a comma as the decimal sign', () => {
      expect(parseIsoTime('2026-07-04T12:00:00,25Z', SH)).toBe(Date.UTC(2026, 6, 4, 12, 0, 0, 250));
    });

    it('keeps the fraction of a wall time read in the zone', () => {
      expect(parseIsoTime('2026-07-04T20:47:03.250', SH)).toBe(Date.UTC(2026, 6, 4, 12, 47, 3, 250));
      expect(parseIsoTime('2026-07-04T08:47:03.250', NY)).toBe(Date.UTC(2026, 6, 4, 12, 47, 3, 250));
    });

    it('keeps the fraction of a pre-1970 wall time read in the zone, without losing a second', () => {
      // Before the epoch, epoch milliseconds are negative: the offset must still come out whole.
      expect(parseIsoTime('1969-12-31T23:59:59.500', SH)).toBe(Date.UTC(1969, 11, 31, 15, 59, 59, 500));
      expect(parseIsoTime('1960-06-01T10:00:00.250', NY)).toBe(Date.UTC(1960, 5, 1, 14, 0, 0, 250));
    });

    it('rejects more than nine fraction digits and a fraction without digits', () => {
      expect(parseIsoTime('2026-07-04T12:00:00.1234567890Z', SH)).toBeUndefined();
      expect(parseIsoTime('2026-07-04T12:00:00.Z', SH)).toBeUndefined();
    });
  });

  describe('dates that do not exist', () => {
    it.each([
      ['2026-02-30T00:00:00Z', 'February 30'],
      ['2026-02-29T00:00:00Z', 'February 29 of a common year'],
      ['2100-02-29T00:00:00Z', 'February 29 of a century that is not a leap year'],
      ['2026-04-31T00:00:00Z', 'April 31'],
      ['2026-13-01T00:00:00Z', 'month 13'],
      ['2026-00-10T00:00:00Z', 'month 0'],
      ['2026-01-00T00:00:00Z', 'day 0'],
      ['2026-01-32T00:00:00Z', 'day 32'],
      ['2026-07-04T24:00:00Z', 'hour 24'],
      ['2026-07-04T12:60:00Z', 'minute 60'],
      ['2026-07-04T12:00:60Z', 'second 60'],
      ['2026-07-04T12:00:00+24:00', 'offset hour 24'],
      ['2026-07-04T12:00:00+08:60', 'offset minute 60'],
      ['2026-02-30', 'February 30 without an offset'],
      ['2026-13-01 00:00:00', 'month 13 without an offset'],
    ])('rejects %s (%s)', (text) => {
      expect(parseIsoTime(text, SH)).toBeUndefined();
    });

    it('accepts February 29 of a leap year, including 2000', () => {
      expect(parseIsoTime('2024-02-29T00:00:00Z', SH)).toBe(Date.UTC(2024, 1, 29));
      expect(parseIsoTime('2000-02-29T00:00:00Z', SH)).toBe(Date.UTC(2000, 1, 29));
    });

    it('never turns a year below 100 into a year of the 1900s', () => {
      // Date.UTC maps years 0-99 to 1900-1999; rejecting such a year is fine, moving it is not.
      const result = parseIsoTime('0099-12-31T00:00:00Z', 'UTC');
      expect([undefined, Date.parse('0099-12-31T00:00:00Z')]).toContain(result);
    });
  });

  describe('garbage', () => {
    it.each([
      '',
      'yesterday',
      'now',
      '2026/07/04 20:47:03',
      '20260704T204703Z',
      '2026-7-4T20:47:03Z',
      '2026-07-04T8:47:03Z',
      '2026-07-04T20:47:03+8:00',
      '2026-07-04T20:47:03 +08:00',
      ' 2026-07-04T20:47:03Z',
      '2026-07-04T20:47:03Z ',
      '2026-07-04T20',
      '2026-07-04T20:47:03UTC',
      '1720097223',
      '+02026-07-04T20:47:03Z',
    ])('rejects %j', (text) => {
      expect(parseIsoTime(text, SH)).toBeUndefined();
    });
  });
});

describe('formatAcceptTime', () => {
  it('writes YYYY-MM-DD HH:mm:ss in the zone', () => {
    const t = Date.UTC(2020, 6, 4, 12, 47, 3);
    expect(formatAcceptTime(t, SH)).toBe('2020-07-04 20:47:03');
    expect(formatAcceptTime(t, NY)).toBe('2020-07-04 08:47:03');
    expect(formatAcceptTime(t, 'UTC')).toBe('2020-07-04 12:47:03');
  });

  it('uses the zone to decide the date, not only the hour', () => {
    const t = Date.UTC(2026, 0, 1, 2, 0, 0);
    expect(formatAcceptTime(t, SH)).toBe('2026-01-01 10:00:00');
    expect(formatAcceptTime(t, NY)).toBe('2025-12-31 21:00:00');
  });

  it('follows DST in the zone', () => {
    expect(formatAcceptTime(Date.UTC(2026, 6, 4, 16), NY)).toBe('2026-07-04 12:00:00');
    expect(formatAcceptTime(Date.UTC(2026, 0, 4, 17), NY)).toBe('2026-01-04 12:00:00');
  });

  it('zero-pads every field', () => {
    expect(formatAcceptTime(Date.UTC(2026, 0, 2, 1, 2, 3), 'UTC')).toBe('2026-01-02 01:02:03');
  });

  it('writes midnight as 00, never 24', () => {
    expect(formatAcceptTime(Date.UTC(2026, 0, 1, 16, 0, 0), SH)).toBe('2026-01-02 00:00:00');
    expect(formatAcceptTime(Date.UTC(2026, 0, 1, 0, 0, 0), 'UTC')).toBe('2026-01-01 00:00:00');
  });

  it('drops milliseconds without rounding up', () => {
    expect(formatAcceptTime(Date.UTC(2026, 11, 31, 15, 59, 59, 999), SH)).toBe('2026-12-31 23:59:59');
  });

  it('always has the shape of the spec accept_time', () => {
    for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2026, 0, 3); t += 3_599_999) {
      expect(formatAcceptTime(t, SH)).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    }
  });
});

describe('isCalendarDate', () => {
  it.each(['2026-07-08', '2024-02-29', '2000-02-29', '2026-12-31', '2026-01-01'])('accepts %s', (text) => {
    expect(isCalendarDate(text)).toBe(true);
  });

  it.each([
    '2026-02-29',
    '1900-02-29',
    '2026-02-30',
    '2026-04-31',
    '2026-13-01',
    '2026-00-01',
    '2026-01-00',
    '2026-7-8',
    '2026-07-08T00:00:00Z',
    '2026-07-08 ',
    ' 2026-07-08',
    '20260708',
    '2026/07/08',
    '',
    'tomorrow',
  ])('rejects %j', (text) => {
    expect(isCalendarDate(text)).toBe(false);
  });
});

describe('isValidTimeZone', () => {
  it.each(['Asia/Shanghai', 'America/New_York', 'UTC', 'Europe/London'])('accepts %s', (zone) => {
    expect(isValidTimeZone(zone)).toBe(true);
  });

  it.each(['Mars/Olympus_Mons', 'Asia/Shang hai', 'not a zone', ''])('rejects %j', (zone) => {
    expect(isValidTimeZone(zone)).toBe(false);
  });

  it('keeps rejecting a bad zone when asked again', () => {
    expect(isValidTimeZone('Nowhere/Nothing')).toBe(false);
    expect(isValidTimeZone('Nowhere/Nothing')).toBe(false);
  });
});
