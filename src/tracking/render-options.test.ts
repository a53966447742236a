import { describe, expect, it } from 'vitest';
import type { StoredEvent } from './event.js';
import { renderWaybill } from './render.js';

const ev = (seq: number, at: string, status: 1 | 2 | 3, description: string, eta?: string): StoredEvent => ({
  waybill: 'JT0000000000001',
  eventId: `e${seq}`,
  time: Date.parse(at),
  status,
  label: status === 1 ? '已揽件' : status === 2 ? '运输中' : '派送中',
  description,
  location: undefined,
  eta,
  cells: undefined,
  seq,
  ingestedAt: seq,
});

const events = [
  ev(1, '2026-07-05T09:00:00+08:00', 3, 'third'),
  ev(2, '2026-07-04T09:00:00+08:00', 1, 'first', '2026-07-09'),
  ev(3, '2026-07-04T18:30:00+08:00', 2, 'second', '2026-07-08'),
];

describe('renderWaybill trace options', () => {
  it('lists newest first on request, with status and ETA still folded in time order', () => {
    const { info } = renderWaybill(events, { timeZone: 'Asia/Shanghai', traceOrder: 'newest-first' });
    expect(info.traces.map((t) => t.accept_address)).toEqual([
      '派送中\nthird',
      '运输中\nsecond',
      '已揽件\nfirst',
    ]);
    expect(info.order_status).toBe(3);
    expect(info.estimated_delivery_time).toBe('2026-07-08');
  });

  it('writes the description alone on request', () => {
    const { info } = renderWaybill(events, { timeZone: 'Asia/Shanghai', address: 'description' });
    expect(info.traces.map((t) => t.accept_address)).toEqual(['first', 'second', 'third']);
  });

  it('defaults to oldest first, label and description', () => {
    const { info } = renderWaybill(events, { timeZone: 'Asia/Shanghai' });
    expect(info.traces.map((t) => t.accept_address)).toEqual([
      '已揽件\nfirst',
      '运输中\nsecond',
      '派送中\nthird',
    ]);
  });
});
