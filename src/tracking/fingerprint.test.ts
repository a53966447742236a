import { describe, expect, it } from 'vitest';
import { parseScanEvent, type ScanEvent } from './event.js';
import { eventFingerprint } from './fingerprint.js';

const parse = (over: Record<string, unknown>): ScanEvent => {
  const r = parseScanEvent(
    {
      waybill: 'YT1',
      event_id: 'e1',
      time: '2026-07-04T20:47:03+08:00',
      status: 2,
      description: 'd',
      ...over,
    },
    { timeZone: 'Asia/Shanghai' },
  );
  if (!r.ok) throw new Error(r.reason);
  return r.event;
};

describe('eventFingerprint', () => {
  it('is equal for the same content spelled differently', () => {
    expect(eventFingerprint(parse({ time: '2026-07-04T12:47:03Z' }))).toBe(eventFingerprint(parse({})));
    expect(eventFingerprint(parse({ event_id: 'other' }))).toBe(eventFingerprint(parse({})));
  });

  it('changes with any field of the content', () => {
    const base = eventFingerprint(parse({}));
    for (const over of [
      { waybill: 'YT2' },
      { time: '2026-07-04T20:47:04+08:00' },
      { status: 3 },
      { label: 'x' },
      { description: 'e' },
      { location: 'L' },
      { eta: '2026-07-08' },
      { cells: [{ key: 'k', value: 'v' }] },
    ]) {
      expect(eventFingerprint(parse(over)), JSON.stringify(over)).not.toBe(base);
    }
  });
});
