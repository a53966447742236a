import { describe, expect, it } from 'vitest';
import type { OrderStatus } from '../protocol/order-info.js';
import type { StoredEvent } from './event.js';
import { renderWaybill } from './render.js';
import {
  compareEvents,
  deriveStatus,
  isOrderStatus,
  isSigned,
  STATUS_LABELS,
  type Ordered,
} from './status.js';

const T0 = Date.UTC(2026, 6, 4, 12, 0, 0);
const min = (n: number) => T0 + n * 60_000;

/** A stored event with the fields ordering and rendering need; the rest are fillers. */
function ev(seq: number, time: number, status: OrderStatus, extra: Partial<StoredEvent> = {}): StoredEvent {
  return {
    waybill: 'YT1234567890123',
    eventId: `e${seq}`,
    time,
    status,
    label: STATUS_LABELS[status],
    description: `event ${seq}`,
    location: undefined,
    eta: undefined,
    cells: undefined,
    seq,
    ingestedAt: T0 + seq,
    ...extra,
  };
}

/** Status as a store derives it: sort by rule 1, then rules 2 and 3. */
const statusOf = (events: readonly Ordered[]) => deriveStatus([...events].sort(compareEvents));
const render = (events: readonly StoredEvent[]) => renderWaybill(events, { timeZone: 'Asia/Shanghai' }).info;

describe('transition rules', () => {
  it('rule 1: events are ordered by event time, oldest first; same-time events keep ingest order', () => {
    const events: Ordered[] = [
      { time: min(30), seq: 1, status: 3 },
      { time: min(10), seq: 5, status: 2 },
      { time: min(10), seq: 2, status: 1 },
      { time: min(0), seq: 4, status: 0 },
      { time: min(10), seq: 3, status: 2 },
    ];
    const sorted = [...events].sort(compareEvents);
    expect(sorted.map((e) => e.seq)).toEqual([4, 2, 3, 5, 1]);

    expect(compareEvents({ time: 1, seq: 9, status: 0 }, { time: 2, seq: 1, status: 0 })).toBeLessThan(0);
    expect(compareEvents({ time: 2, seq: 1, status: 0 }, { time: 1, seq: 9, status: 0 })).toBeGreaterThan(0);
    expect(compareEvents({ time: 5, seq: 1, status: 0 }, { time: 5, seq: 2, status: 0 })).toBeLessThan(0);
    expect(compareEvents({ time: 5, seq: 2, status: 0 }, { time: 5, seq: 1, status: 0 })).toBeGreaterThan(0);

    // The traces follow the same order, whatever order the events are handed over in.
    const info = render([ev(5, min(10), 2), ev(1, min(30), 3), ev(2, min(10), 1), ev(4, min(0), 0)]);
    expect(info.traces.map((t) => t.accept_address)).toEqual([
      '待揽件\nevent 4',
      '已揽件\nevent 2',
      '运输中\nevent 5',
      '派送中\nevent 1',
    ]);
  });

  it("rule 2: the parcel's status is the status of the last event in that order", () => {
    // The newest event (派送中) was ingested first: arrival order must not matter.
    const events = [ev(1, min(30), 3), ev(2, min(0), 1), ev(3, min(10), 2)];
    expect(statusOf(events)).toBe(3);
    expect(render(events).order_status).toBe(3);

    // Among same-time events, the one ingested last wins.
    expect(statusOf([ev(1, min(5), 2), ev(2, min(5), 3)])).toBe(3);
    expect(statusOf([ev(2, min(5), 3), ev(1, min(5), 2)])).toBe(3);
    expect(statusOf([ev(1, min(5), 3), ev(2, min(5), 2)])).toBe(2);

    // Each status can be the derived one, including 签收异常 after a failed delivery.
    for (const s of [0, 1, 2, 3, 4, 5, 6] as const) {
      expect(statusOf([ev(1, min(0), 1), ev(2, min(1), s)])).toBe(s);
    }
  });

  it('rule 2: a parcel with no events is 0 (待揽件)', () => {
    expect(deriveStatus([])).toBe(0);
    expect(render([]).order_status).toBe(0);
  });

  describe('rule 3: a late-arriving event never moves a signed parcel back', () => {
    it.each([4, 6] as const)(
      'rule 3: an older event ingested after the signature (%i) does not move it back',
      (signed) => {
        const events = [ev(1, min(0), 1), ev(2, min(60), signed), ev(3, min(30), 3)];
        expect(statusOf(events)).toBe(signed);
        const info = render(events);
        expect(info.order_status).toBe(signed);
        // The late event is still shown, in time order.
        expect(info.traces.map((t) => t.accept_address)).toEqual([
          '已揽件\nevent 1',
          '派送中\nevent 3',
          `${STATUS_LABELS[signed]}\nevent 2`,
        ]);
      },
    );

    it.each([4, 6] as const)(
      'rule 3: an unsigned event with the same time as the signature (%i) but ingested later does not displace it',
      (signed) => {
        for (const late of [0, 1, 2, 3, 5] as const) {
          const events = [ev(1, min(0), 2), ev(2, min(60), signed), ev(3, min(60), late)];
          expect(statusOf(events), `late status ${late}`).toBe(signed);
          const info = render(events);
          expect(info.order_status).toBe(signed);
          // Rule 1 still puts the late event last among the traces.
          expect(info.traces.at(-1)!.accept_address).toBe(`${STATUS_LABELS[late]}\nevent 3`);
        }
      },
    );

    it('rule 3: several same-time unsigned events after the signature still do not displace it', () => {
      const events = [ev(1, min(60), 4), ev(2, min(60), 3), ev(3, min(60), 5), ev(4, min(60), 2)];
      expect(statusOf(events)).toBe(4);
    });

    it('rule 3: with two same-time signatures, the later-ingested one is the status', () => {
      expect(statusOf([ev(1, min(60), 6), ev(2, min(60), 4), ev(3, min(60), 3)])).toBe(4);
      expect(statusOf([ev(1, min(60), 4), ev(2, min(60), 6), ev(3, min(60), 3)])).toBe(6);
    });

    it.each([4, 6] as const)(
      'rule 3: an event strictly newer than the signature (%i) does change the status',
      (signed) => {
        // A return or a re-delivery, one second after the signature.
        const events = [ev(1, min(0), 3), ev(2, min(60), signed), ev(3, min(60) + 1000, 2)];
        expect(statusOf(events)).toBe(2);
        expect(render(events).order_status).toBe(2);

        // Even when the newer event reached the store before the signature did.
        expect(statusOf([ev(1, min(61), 5), ev(2, min(60), signed)])).toBe(5);
      },
    );

    it('rule 3: the guard looks only at events sharing the newest time, not at older signatures', () => {
      // Signed at 09:00, then two unsigned events at 10:00: the status is the last of those.
      expect(statusOf([ev(1, min(0), 6), ev(2, min(60), 2), ev(3, min(60), 3)])).toBe(3);
      expect(statusOf([ev(1, min(0), 4), ev(2, min(60), 2)])).toBe(2);
    });
  });

  it('rule 4: eta and cells come from the last event (in rule 1 order) that carries them', () => {
    const cellsOld = [{ key: 'old', value: '旧' }];
    const cellsNew = [{ key: 'wxpay', value: '已支付', status: 'pages/index/index' }];
    const events = [
      // Newest event carrying an eta / cells, but ingested first.
      ev(1, min(30), 2, { eta: '2026-07-08', cells: cellsNew }),
      ev(2, min(0), 1, { eta: '2026-07-10', cells: cellsOld }),
      // Newest of all, carries neither: it must not clear them.
      ev(3, min(40), 3),
      // Ingested last but older than event 1.
      ev(4, min(20), 2, { eta: '2026-07-12', cells: cellsOld }),
    ];
    const info = render(events);
    expect(info.estimated_delivery_time).toBe('2026-07-08');
    expect(info.cells).toEqual(cellsNew);

    // eta and cells are tracked separately: each from the latest event carrying that field.
    const split = render([
      ev(1, min(0), 1, { eta: '2026-07-09', cells: cellsOld }),
      ev(2, min(10), 2, { eta: '2026-07-08' }),
      ev(3, min(20), 2, { cells: cellsNew }),
    ]);
    expect(split.estimated_delivery_time).toBe('2026-07-08');
    expect(split.cells).toEqual(cellsNew);

    // Same time: the later-ingested carrier wins.
    const tie = render([
      ev(2, min(10), 2, { eta: '2026-07-09', cells: cellsNew }),
      ev(1, min(10), 2, { eta: '2026-07-08', cells: cellsOld }),
    ]);
    expect(tie.estimated_delivery_time).toBe('2026-07-09');
    expect(tie.cells).toEqual(cellsNew);
  });
});

describe('STATUS_LABELS', () => {
  it("are the spec's OrderStatus names", () => {
    expect(STATUS_LABELS).toEqual({
      0: '待揽件',
      1: '已揽件',
      2: '运输中',
      3: '派送中',
      4: '已签收',
      5: '签收异常',
      6: '代签收',
    });
    expect(Object.keys(STATUS_LABELS)).toHaveLength(7);
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(STATUS_LABELS)).toBe(true);
  });
});

describe('isOrderStatus', () => {
  it.each([0, 1, 2, 3, 4, 5, 6])('accepts %i', (n) => {
    expect(isOrderStatus(n)).toBe(true);
  });

  it.each([-1, 7, 1.5, NaN, Infinity, '2', null, undefined, true, [2], { status: 2 }])('rejects %j', (n) => {
    expect(isOrderStatus(n)).toBe(false);
  });
});

describe('isSigned', () => {
  it('is true for 已签收 (4) and 代签收 (6) only', () => {
    expect(([0, 1, 2, 3, 4, 5, 6] as const).filter((s) => isSigned(s))).toEqual([4, 6]);
  });
});
