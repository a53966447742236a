/**
 * @module
 * Demo parcels: one for every order_status and one longer trip, with traces, cells and ETAs, timed relative to "now"
 * so the demo always looks current.
 */
import type { Cell, OrderStatus } from '../protocol/order-info.js';
import { STATUS_LABELS } from '../tracking/status.js';

/** One NDJSON-shaped scan event, as a courier's system would send it. */
export interface DemoEvent {
  waybill: string;
  event_id: string;
  time: string;
  status: OrderStatus;
  label: string;
  description: string;
  location: string;
  eta?: string;
  cells?: Cell[];
}

const STEPS: { status: OrderStatus; description: string; location: string }[] = [
  { status: 1, description: '【河北永清县】(0316-6840631) 的 操作一组 已揽收', location: '河北永清县' },
  { status: 2, description: '快件离开【河北永清县】已发往【贵阳】', location: '河北永清县' },
  { status: 2, description: '快件已经到达【华北操作部】', location: '华北操作部' },
  { status: 2, description: '快件离开【华北操作部】已发往【贵阳】', location: '华北操作部' },
  { status: 2, description: '快件已经到达【贵阳】', location: '贵阳' },
  { status: 3, description: '【遵义桂花社区】快递员 张师傅(138****0000) 正在派件', location: '遵义桂花社区' },
];

const FINAL: Partial<Record<OrderStatus, { description: string; location: string }>> = {
  4: { description: '已签收，签收人：本人。感谢使用，期待再次为您服务', location: '遵义桂花社区' },
  5: { description: '收件人电话无人接听，快件滞留网点，将再次派送', location: '遵义桂花社区' },
  6: { description: '已由【桂花社区菜鸟驿站】代签收，请凭取件码取件', location: '桂花社区菜鸟驿站' },
};

// A cell's status is a URL parameter appended to the registered link (pages/pay/index?state=unpaid…).
const PAY: Cell = { key: 'wxpay', value: '去支付', status: 'state=unpaid' };
const SERVICE: Cell = { key: 'service', value: '联系客服', status: 'topic=delivery' };

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const day = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

/** Demo events for waybills `YT9000000000000` … one per status, plus a long multi-day trip. */
export function demoEvents(now: number): DemoEvent[] {
  const out: DemoEvent[] = [];
  const statuses: OrderStatus[] = [0, 1, 2, 3, 4, 5, 6, 2];
  statuses.forEach((status, i) => {
    const waybill = `YT900000000000${i}`;
    const start = now - (3 - (i % 3)) * 86_400_000;
    const eta = day(now + (1 + (i % 3)) * 86_400_000);
    const push = (
      k: number,
      s: OrderStatus,
      description: string,
      location: string,
      extra: Partial<DemoEvent> = {},
    ) =>
      out.push({
        waybill,
        event_id: `demo-${waybill}-${k}`,
        time: iso(start + k * 3 * 3_600_000 + i * 60_000),
        status: s,
        label: STATUS_LABELS[s],
        description,
        location,
        ...extra,
      });
    if (status === 0) {
      push(0, 0, '您的快件已下单，等待快递员上门揽收', '北京朝阳区', { eta, cells: [PAY] });
      return;
    }
    const reach = status === 1 ? 1 : status === 2 ? (i === 7 ? 5 : 3) : 6;
    for (let k = 0; k < reach; k++) {
      const step = STEPS[k]!;
      push(k, step.status, step.description, step.location, k === 0 ? { eta, cells: [PAY, SERVICE] } : {});
    }
    const final = FINAL[status];
    if (final) push(reach, status, final.description, final.location, { cells: [SERVICE] });
  });
  return out;
}
