/**
 * @module
 * renderReplyJson: the bytes a waybill's reply is rendered to, with the attributes the carrier
 * set through the waybill API laid over what its events carry.
 */
import { describe, expect, it } from 'vitest';
import { parseScanEvent, type StoredEvent } from './event.js';
import { renderReplyJson } from './render.js';

const event = (seq: number, over: Record<string, unknown>): StoredEvent => {
  const r = parseScanEvent(
    { waybill: 'YT1', time: '2026-07-04T20:47:03+08:00', status: 2, description: 'd', ...over },
    { timeZone: 'Asia/Shanghai' },
  );
  if (!r.ok) throw new Error(r.reason);
  return { ...r.event, seq, ingestedAt: 0 };
};

const render = (eta: string | undefined, cells: { key: string; value: string }[] | undefined) =>
  JSON.parse(
    renderReplyJson(
      {
        events: [event(1, { eta: '2026-07-08', cells: [{ key: 'ev', value: 'e' }] })],
        attributes: { eta, cells },
      },
      { timeZone: 'Asia/Shanghai' },
    ),
  ) as { estimated_delivery_time?: string; cells: unknown[] };

describe('renderReplyJson', () => {
  it("keeps the events' eta and cells when the carrier set neither", () => {
    const r = render(undefined, undefined);
    expect(r.estimated_delivery_time).toBe('2026-07-08');
    expect(r.cells).toEqual([{ key: 'ev', value: 'e' }]);
  });

  it('lays the eta alone over the events, keeping their cells', () => {
    const r = render('2026-07-09', undefined);
    expect(r.estimated_delivery_time).toBe('2026-07-09');
    expect(r.cells).toEqual([{ key: 'ev', value: 'e' }]);
  });

  it('lays the cells alone over the events, keeping their eta', () => {
    const r = render(undefined, [{ key: 'api', value: 'a' }]);
    expect(r.estimated_delivery_time).toBe('2026-07-08');
    expect(r.cells).toEqual([{ key: 'api', value: 'a' }]);
  });

  it('lays both over the events, an empty cell list included', () => {
    const r = render('2026-07-10', []);
    expect(r.estimated_delivery_time).toBe('2026-07-10');
    expect(r.cells).toEqual([]);
  });
});
