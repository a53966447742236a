import { createHash } from 'node:crypto';
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

describe('the fingerprint recipe', () => {
  // Stored fingerprints must never change: the recipe is written out here, field by field.
  const recipe = (fields: unknown[]) =>
    createHash('sha256').update(JSON.stringify(fields)).digest('base64url');
  const at = Date.parse('2026-07-04T20:47:03+08:00');

  it('hashes the fields in a fixed order, a cell status only when there is one', () => {
    const e = parse({
      location: 'L',
      eta: '2026-07-08',
      cells: [
        { key: 'k', value: 'v' },
        { key: 'p', value: 'w', status: 's' },
      ],
    });
    expect(eventFingerprint(e)).toBe(
      recipe([
        'YT1',
        at,
        2,
        '运输中',
        'd',
        'L',
        '2026-07-08',
        [
          ['k', 'v'],
          ['p', 'w', 's'],
        ],
      ]),
    );
    expect(eventFingerprint(parse({}))).toBe(recipe(['YT1', at, 2, '运输中', 'd', null, null, null]));
  });

  it.each([
    [{ recipient_name: '张三' }, ['张三', null, null]],
    [{ recipient_phone: '13800138000' }, [null, '13800138000', null]],
    [{ pickup_code: '8-2-1234' }, [null, null, '8-2-1234']],
  ])('adds the personal fields only when an event has one: %j', (over, personal) => {
    expect(eventFingerprint(parse(over))).toBe(
      recipe(['YT1', at, 2, '运输中', 'd', null, null, null, ['personal', ...personal]]),
    );
  });
});
