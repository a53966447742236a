import { describe, expect, it } from 'vitest';
import { serializeOrderInfo, type OrderStatus } from '../protocol/order-info.js';
import { appendToWaybill } from './append.js';
import type { StoredEvent } from './event.js';
import { renderWaybill, type RenderOptions } from './render.js';

const T = Date.UTC(2026, 6, 4, 12, 0, 0);
let seq = 0;
const ev = (time: number, status: OrderStatus, extra: Partial<StoredEvent> = {}): StoredEvent => ({
  waybill: 'W',
  eventId: `e${++seq}`,
  time,
  status,
  label: `L${status}`,
  description: `d${seq}`,
  location: seq % 3 === 0 ? undefined : `loc${seq}`,
  eta: undefined,
  cells: undefined,
  seq,
  ingestedAt: 0,
  ...extra,
});

const full = (events: StoredEvent[], o: RenderOptions) => serializeOrderInfo(renderWaybill(events, o).info);

function viaAppend(old: StoredEvent[], added: StoredEvent[], o: RenderOptions): string | undefined {
  const before = renderWaybill(old, o);
  // The store keeps the serialized reply and reads it back: do the same.
  const previous = JSON.parse(serializeOrderInfo(before.info));
  const v = appendToWaybill(previous, before.lastEventAt, added, o);
  return v && serializeOrderInfo(v.info);
}

describe('appendToWaybill', () => {
  const SH: RenderOptions = { timeZone: 'Asia/Shanghai' };

  it('equals a full render when new events are newer, carrying eta and cells', () => {
    const old = [ev(T, 1, { eta: '2026-07-08' }), ev(T + 60_000, 2, { cells: [{ key: 'a', value: 'b' }] })];
    const added = [ev(T + 180_000, 3, { eta: '2026-07-09' }), ev(T + 120_000, 2)];
    expect(viaAppend(old, added, SH)).toBe(full([...old, ...added], SH));
  });

  it('equals a full render for an event tied with the last one, and with API overrides', () => {
    const o: RenderOptions = { ...SH, overrides: { eta: '2026-09-01', cells: [{ key: 'x', value: 'y' }] } };
    const old = [ev(T, 1), ev(T + 1000, 2, { eta: '2026-07-08' })];
    const added = [ev(T + 1000, 3, { cells: [{ key: 'c', value: 'd' }] })];
    expect(viaAppend(old, added, o)).toBe(full([...old, ...added], o));
  });

  it('equals a full render when the new event signs, then declines after a signature', () => {
    const old = [ev(T, 2, { eta: '2026-07-08' })];
    const sign = [ev(T + 1000, 4)];
    expect(viaAppend(old, sign, SH)).toBe(full([...old, ...sign], SH));
    expect(viaAppend([...old, ...sign], [ev(T + 2000, 5)], SH)).toBeUndefined();
  });

  it('declines under a render option it does not know', () => {
    const old = [ev(T, 1)];
    const o = { ...SH, traceOrder: 'newest-first' } as RenderOptions;
    expect(viaAppend(old, [ev(T + 1000, 2)], o)).toBeUndefined();
    expect(viaAppend(old, [ev(T + 1000, 2)], { ...SH, overrides: undefined })).toBeDefined();
  });

  it('declines a late event, and a waybill without traces', () => {
    const old = [ev(T, 1), ev(T + 5000, 2)];
    expect(viaAppend(old, [ev(T + 4000, 3)], SH)).toBeUndefined();
    expect(viaAppend([], [ev(T, 1)], SH)).toBeUndefined();
  });

  it('agrees with a full render on random histories whenever it answers', () => {
    let s = 7;
    const rand = (n: number) => (s = (s * 48271) % 2147483647) % n;
    let answered = 0;
    for (let round = 0; round < 500; round++) {
      const events: StoredEvent[] = [];
      const n = 1 + rand(6);
      for (let i = 0; i < n; i++) {
        events.push(
          ev(T + rand(5) * 1000, rand(7) as OrderStatus, {
            ...(rand(3) === 0 ? { eta: `2026-07-0${1 + rand(9)}` } : {}),
            ...(rand(4) === 0 ? { cells: [{ key: `k${rand(9)}`, value: 'v' }] } : {}),
          }),
        );
      }
      const cut = 1 + rand(n);
      const got = viaAppend(events.slice(0, cut), events.slice(cut), SH);
      if (got !== undefined) {
        answered++;
        expect(got).toBe(full(events, SH));
      }
    }
    expect(answered).toBeGreaterThan(50);
  });
});
