import { describe, expect, it } from 'vitest';
import { jsonpBody, parseJsonpBody } from '../protocol/jsonp.js';
import { serializeOrderInfo, type Cell, type OrderStatus } from '../protocol/order-info.js';
import type { StoredEvent } from './event.js';
import { renderWaybill } from './render.js';
import { STATUS_LABELS } from './status.js';

const SH = { timeZone: 'Asia/Shanghai' };
const NY = { timeZone: 'America/New_York' };

interface EventSpec {
  seq: number;
  /** ISO 8601 with an offset. */
  at: string;
  status?: OrderStatus;
  label?: string;
  description?: string;
  location?: string;
  eta?: string;
  cells?: readonly Cell[];
}

function ev({ seq, at, status = 2, label, description, location, eta, cells }: EventSpec): StoredEvent {
  const time = Date.parse(at);
  if (Number.isNaN(time)) throw new Error(`bad test time ${at}`);
  return {
    waybill: 'YT1234567890123',
    eventId: `e${seq}`,
    time,
    status,
    label: label ?? STATUS_LABELS[status],
    description: description ?? `event ${seq}`,
    location,
    eta,
    cells,
    seq,
    ingestedAt: 1_000_000 + seq,
  };
}

describe('renderWaybill', () => {
  it('renders a parcel with no events as 待揽件 with nothing else', () => {
    const view = renderWaybill([], SH);
    expect(view.info).toEqual({ err_code: 0, err_msg: 'ok', order_status: 0, traces: [], cells: [] });
    expect('estimated_delivery_time' in view.info).toBe(false);
    expect(view.lastEventAt).toBe(0);
  });

  it('always reports success', () => {
    const { info } = renderWaybill([ev({ seq: 1, at: '2026-07-04T10:00:00+08:00', status: 5 })], SH);
    expect(info.err_code).toBe(0);
    expect(info.err_msg).toBe('ok');
  });

  it('lists traces oldest first, whatever order the events come in', () => {
    const events = [
      ev({ seq: 1, at: '2026-07-05T09:00:00+08:00', description: 'third' }),
      ev({ seq: 2, at: '2026-07-04T09:00:00+08:00', description: 'first' }),
      ev({ seq: 3, at: '2026-07-04T18:30:00+08:00', description: 'second' }),
    ];
    const { info } = renderWaybill(events, SH);
    expect(info.traces.map((t) => t.accept_time)).toEqual([
      '2026-07-04 09:00:00',
      '2026-07-04 18:30:00',
      '2026-07-05 09:00:00',
    ]);
    expect(info.traces.map((t) => t.accept_address)).toEqual([
      '运输中\nfirst',
      '运输中\nsecond',
      '运输中\nthird',
    ]);
  });

  it('keeps same-time events in ingest (seq) order, not in the order they are passed', () => {
    const at = '2026-07-04T09:00:00+08:00';
    const events = [
      ev({ seq: 7, at, description: 'ingested third' }),
      ev({ seq: 2, at, description: 'ingested first' }),
      ev({ seq: 5, at, description: 'ingested second' }),
    ];
    const { info } = renderWaybill(events, SH);
    expect(info.traces.map((t) => t.accept_address)).toEqual([
      '运输中\ningested first',
      '运输中\ningested second',
      '运输中\ningested third',
    ]);
  });

  it('orders by the instant, not by the wall-clock text, across offsets', () => {
    // 10:00+08:00 is 02:00Z; 23:00-05:00 the day before is 04:00Z: the later instant.
    const events = [
      ev({ seq: 1, at: '2026-07-03T23:00:00-05:00', description: 'later' }),
      ev({ seq: 2, at: '2026-07-04T10:00:00+08:00', description: 'earlier' }),
    ];
    const { info } = renderWaybill(events, SH);
    expect(info.traces.map((t) => t.accept_address)).toEqual(['运输中\nearlier', '运输中\nlater']);
    expect(info.traces.map((t) => t.accept_time)).toEqual(['2026-07-04 10:00:00', '2026-07-04 12:00:00']);
  });

  it('writes accept_time as YYYY-MM-DD HH:mm:ss in the configured zone', () => {
    const events = [
      ev({ seq: 1, at: '2020-07-04T20:47:03+08:00' }),
      ev({ seq: 2, at: '2026-01-01T00:30:05Z' }),
    ];
    expect(renderWaybill(events, SH).info.traces.map((t) => t.accept_time)).toEqual([
      '2020-07-04 20:47:03',
      '2026-01-01 08:30:05',
    ]);
    expect(renderWaybill(events, NY).info.traces.map((t) => t.accept_time)).toEqual([
      '2020-07-04 08:47:03',
      '2025-12-31 19:30:05',
    ]);
  });

  it('writes accept_address as label, newline, description', () => {
    const { info } = renderWaybill(
      [
        ev({ seq: 1, at: '2026-07-04T09:00:00+08:00', status: 2, description: '快件已从杭州枢纽中心发出' }),
        ev({
          seq: 2,
          at: '2026-07-04T10:00:00+08:00',
          status: 3,
          label: '派件中',
          description: '快递员 张三 正在派件',
        }),
      ],
      SH,
    );
    expect(info.traces.map((t) => t.accept_address)).toEqual([
      '运输中\n快件已从杭州枢纽中心发出',
      '派件中\n快递员 张三 正在派件',
    ]);
  });

  it("writes remark as the event's location, or '' when it has none", () => {
    const { info } = renderWaybill(
      [
        ev({ seq: 1, at: '2026-07-04T09:00:00+08:00', location: '贵阳' }),
        ev({ seq: 2, at: '2026-07-04T10:00:00+08:00' }),
      ],
      SH,
    );
    expect(info.traces.map((t) => t.remark)).toEqual(['贵阳', '']);
  });

  it('gives each trace exactly accept_time, accept_address and remark, in that order', () => {
    const { info } = renderWaybill([ev({ seq: 1, at: '2026-07-04T09:00:00+08:00', location: '贵阳' })], SH);
    expect(Object.keys(info.traces[0]!)).toEqual(['accept_time', 'accept_address', 'remark']);
  });

  describe('estimated_delivery_time', () => {
    it('is present when an event carries an ETA and the parcel is not signed for', () => {
      for (const status of [0, 1, 2, 3, 5] as const) {
        const { info } = renderWaybill(
          [ev({ seq: 1, at: '2026-07-04T09:00:00+08:00', status, eta: '2026-07-08' })],
          SH,
        );
        expect(info.estimated_delivery_time, `status ${status}`).toBe('2026-07-08');
      }
    });

    it('is absent when no event carries an ETA', () => {
      const { info } = renderWaybill(
        [ev({ seq: 1, at: '2026-07-04T09:00:00+08:00' }), ev({ seq: 2, at: '2026-07-04T10:00:00+08:00' })],
        SH,
      );
      expect('estimated_delivery_time' in info).toBe(false);
    });

    it.each([4, 6] as const)(
      'is absent once the parcel is signed for (%i), even though an ETA is known',
      (signed) => {
        const { info } = renderWaybill(
          [
            ev({ seq: 1, at: '2026-07-04T09:00:00+08:00', eta: '2026-07-08' }),
            ev({ seq: 2, at: '2026-07-06T15:00:00+08:00', status: signed, eta: '2026-07-06' }),
          ],
          SH,
        );
        expect(info.order_status).toBe(signed);
        expect('estimated_delivery_time' in info).toBe(false);
      },
    );

    it('is absent when the signature holds against a same-time unsigned event that carries an ETA', () => {
      const at = '2026-07-06T15:00:00+08:00';
      const { info } = renderWaybill(
        [ev({ seq: 1, at, status: 4 }), ev({ seq: 2, at, status: 3, eta: '2026-07-08' })],
        SH,
      );
      expect(info.order_status).toBe(4);
      expect('estimated_delivery_time' in info).toBe(false);
    });

    it('comes back when an event newer than the signature un-signs the parcel', () => {
      const { info } = renderWaybill(
        [
          ev({ seq: 1, at: '2026-07-06T15:00:00+08:00', status: 4 }),
          ev({ seq: 2, at: '2026-07-07T09:00:00+08:00', status: 2, description: '退回', eta: '2026-07-10' }),
        ],
        SH,
      );
      expect(info.order_status).toBe(2);
      expect(info.estimated_delivery_time).toBe('2026-07-10');
    });

    it('comes from the newest event carrying one, not from the last one ingested', () => {
      const { info } = renderWaybill(
        [
          ev({ seq: 1, at: '2026-07-05T09:00:00+08:00', eta: '2026-07-08' }),
          ev({ seq: 2, at: '2026-07-04T09:00:00+08:00', eta: '2026-07-09' }),
          ev({ seq: 3, at: '2026-07-06T09:00:00+08:00' }),
        ],
        SH,
      );
      expect(info.estimated_delivery_time).toBe('2026-07-08');
    });
  });

  describe('cells', () => {
    const old: Cell[] = [{ key: 'order', value: '寄快递' }];
    const latest: Cell[] = [{ key: 'wxpay', value: '待支付', status: 'pages/pay?id=1' }];

    it('come from the newest event carrying them, not from the last one ingested', () => {
      const { info } = renderWaybill(
        [
          ev({ seq: 1, at: '2026-07-05T09:00:00+08:00', cells: latest }),
          ev({ seq: 2, at: '2026-07-04T09:00:00+08:00', cells: old }),
          ev({ seq: 3, at: '2026-07-06T09:00:00+08:00' }),
        ],
        SH,
      );
      expect(info.cells).toEqual(latest);
    });

    it('are an empty list when no event carries any', () => {
      const { info } = renderWaybill([ev({ seq: 1, at: '2026-07-04T09:00:00+08:00' })], SH);
      expect(info.cells).toEqual([]);
    });

    it('are kept after the parcel is signed for', () => {
      const { info } = renderWaybill(
        [
          ev({ seq: 1, at: '2026-07-04T09:00:00+08:00', cells: latest }),
          ev({ seq: 2, at: '2026-07-05T09:00:00+08:00', status: 4 }),
        ],
        SH,
      );
      expect(info.cells).toEqual(latest);
    });
  });

  it('sets lastEventAt to the time of the newest event, not the last ingested', () => {
    const events = [
      ev({ seq: 1, at: '2026-07-06T09:00:00+08:00' }),
      ev({ seq: 2, at: '2026-07-04T09:00:00+08:00' }),
      ev({ seq: 3, at: '2026-07-05T09:00:00+08:00' }),
    ];
    expect(renderWaybill(events, SH).lastEventAt).toBe(Date.parse('2026-07-06T09:00:00+08:00'));
  });

  it('does not modify the array it is given', () => {
    const events = [
      ev({ seq: 3, at: '2026-07-06T09:00:00+08:00' }),
      ev({ seq: 1, at: '2026-07-04T09:00:00+08:00' }),
      ev({ seq: 2, at: '2026-07-04T09:00:00+08:00' }),
    ];
    const before = [...events];
    renderWaybill(events, SH);
    expect(events).toHaveLength(before.length);
    events.forEach((e, i) => expect(e).toBe(before[i]));
  });

  it('accepts a frozen array', () => {
    const events = Object.freeze([
      ev({ seq: 2, at: '2026-07-06T09:00:00+08:00' }),
      ev({ seq: 1, at: '2026-07-04T09:00:00+08:00' }),
    ]);
    expect(renderWaybill(events, SH).info.traces).toHaveLength(2);
  });
});

describe("the spec's full example reply", () => {
  // Verbatim from the spec (最终完整的返回数据为). Its accept_address carries no status label; ours is
  // `label \n description` per the traces table, so the descriptions below are the spec's addresses.
  const SPEC_BODY =
    'WxOrderCb({"order_status":2,"cells":[{"value":"寄快递","key":"order"}],"err_msg":"ok","estimated_delivery_time":"2020-07-08","traces":[{"accept_address":"【河北永清县】(0316-6840631) 的 操作一组(15731691877) 已揽收","remark":"河北永清县","accept_time":"2020-07-04 20:47:03"},{"accept_address":"快件离开 【河北永清县】 已发往 【贵阳】","remark":"河北永清县","accept_time":"2020-07-04 21:44:38"},{"accept_address":"快件已经到达 【华北操作部】","remark":"华北操作部","accept_time":"2020-07-05 01:33:05"},{"accept_address":"快件离开 【华北操作部】 已发往 【贵阳】","remark":"华北操作部","accept_time":"2020-07-05 18:15:24"},{"accept_address":"快件已经到达 【贵阳】","remark":"贵阳","accept_time":"2020-07-07 05:55:46"},{"accept_address":"快件离开 【贵阳】 已发往 【遵义】","remark":"贵阳","accept_time":"2020-07-07 07:28:23"},{"accept_address":"快件已经到达 【遵义】","remark":"遵义","accept_time":"2020-07-07 13:42:07"},{"accept_address":"快件离开 【遵义】 已发往 【遵义桂花社区】","remark":"遵义","accept_time":"2020-07-07 13:44:42"}],"err_code":0})';

  interface SpecTrace {
    accept_address: string;
    remark: string;
    accept_time: string;
  }
  const spec = parseJsonpBody(SPEC_BODY) as {
    order_status: number;
    cells: Cell[];
    err_msg: string;
    estimated_delivery_time: string;
    traces: SpecTrace[];
    err_code: number;
  };

  /** The spec's traces as events with +08:00 times, handed over newest first. */
  const events = spec.traces
    .map((t, i) =>
      ev({
        seq: i + 1,
        at: t.accept_time.replace(' ', 'T') + '+08:00',
        status: i === 0 ? 1 : 2,
        description: t.accept_address,
        location: t.remark,
        ...(i === 0 ? { eta: '2020-07-08', cells: [{ key: 'order', value: '寄快递' }] } : {}),
      }),
    )
    .reverse();

  const body = jsonpBody('WxOrderCb', serializeOrderInfo(renderWaybill(events, SH).info));
  const ours = parseJsonpBody(body) as typeof spec;

  it('has the same fields, in the order of the OrderInfo table', () => {
    expect(Object.keys(ours).sort()).toEqual(Object.keys(spec).sort());
    expect(Object.keys(ours)).toEqual([
      'err_code',
      'err_msg',
      'order_status',
      'estimated_delivery_time',
      'traces',
      'cells',
    ]);
  });

  it('has the same status, ETA and cells', () => {
    expect(ours.err_code).toBe(spec.err_code);
    expect(ours.err_msg).toBe(spec.err_msg);
    expect(ours.order_status).toBe(spec.order_status);
    expect(ours.estimated_delivery_time).toBe(spec.estimated_delivery_time);
    expect(ours.cells).toEqual(spec.cells);
  });

  it('has the same traces: times, places, and addresses behind the status label', () => {
    expect(ours.traces).toHaveLength(spec.traces.length);
    expect(ours.traces.map((t) => t.accept_time)).toEqual(spec.traces.map((t) => t.accept_time));
    expect(ours.traces[0]!.accept_time).toBe('2020-07-04 20:47:03');
    expect(ours.traces.map((t) => t.remark)).toEqual(spec.traces.map((t) => t.remark));
    expect(ours.traces.map((t) => t.accept_address)).toEqual(
      spec.traces.map((t, i) => (i === 0 ? '已揽件\n' : '运输中\n') + t.accept_address),
    );
  });

  it('serializes the first two traces byte for byte', () => {
    const firstTwo = events.filter((e) => e.seq <= 2);
    const json = serializeOrderInfo(renderWaybill(firstTwo, SH).info);
    expect(jsonpBody('WxOrderCb', json)).toBe(
      'WxOrderCb({"err_code":0,"err_msg":"ok","order_status":2,"estimated_delivery_time":"2020-07-08",' +
        '"traces":[' +
        '{"accept_time":"2020-07-04 20:47:03","accept_address":"已揽件\\n【河北永清县】(0316-6840631) 的 操作一组(15731691877) 已揽收","remark":"河北永清县"},' +
        '{"accept_time":"2020-07-04 21:44:38","accept_address":"运输中\\n快件离开 【河北永清县】 已发往 【贵阳】","remark":"河北永清县"}' +
        '],"cells":[{"key":"order","value":"寄快递"}]})',
    );
  });
});

describe('waybill attribute overrides', () => {
  const ev = {
    waybill: 'W',
    eventId: 'e',
    time: 0,
    status: 2 as const,
    label: '运输中',
    description: 'd',
    location: undefined,
    eta: '2026-07-08',
    cells: [{ key: 'a', value: 'b' }],
    seq: 1,
    ingestedAt: 0,
  };
  it('lets the API-set eta and cells win over the events', () => {
    const v = renderWaybill([ev], {
      timeZone: 'Asia/Shanghai',
      overrides: { eta: '2026-08-01', cells: [{ key: 'pay', value: '支付' }] },
    });
    expect(v.info.estimated_delivery_time).toBe('2026-08-01');
    expect(v.info.cells).toEqual([{ key: 'pay', value: '支付' }]);
  });
  it('renders a waybill with attributes and no events as 待揽件', () => {
    const v = renderWaybill([], { timeZone: 'Asia/Shanghai', overrides: { eta: '2026-08-01' } });
    expect(v.info).toMatchObject({ order_status: 0, estimated_delivery_time: '2026-08-01', traces: [] });
    expect(v.lastEventAt).toBe(0);
  });
});
