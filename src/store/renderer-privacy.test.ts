import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../tracking/event.js';
import { makeRenderer } from './renderer.js';

const event = (i: number, over: Partial<StoredEvent> = {}): StoredEvent => ({
  waybill: 'YT1234567890123',
  eventId: `e${i}`,
  time: Date.UTC(2026, 6, 4, 1, i),
  status: 2,
  label: '运输中',
  description: '快件运输中',
  location: undefined,
  eta: undefined,
  cells: undefined,
  seq: i,
  ingestedAt: 0,
  ...over,
});

const personal = { recipientName: '张三', recipientPhone: '13812345678', pickupCode: '8-3-2011' };

describe("a store's write-time reply, which every reader gets", () => {
  it("never shows an event's personal fields, rendered in full or appended", () => {
    const renderer = makeRenderer(() => 'Asia/Shanghai');
    const full = renderer('YTO', [event(1), event(2, personal)]);
    const plain = renderer('YTO', [event(1), event(2)]);
    expect(full.json).toBe(plain.json);
    const first = renderer('YTO', [event(1)]);
    const appended = renderer.append!('YTO', first.json, first.lastEventAt, [event(2, personal)]);
    expect(appended?.json).toBe(plain.json);
    for (const value of Object.values(personal)) expect(full.json + appended?.json).not.toContain(value);
  });
});
