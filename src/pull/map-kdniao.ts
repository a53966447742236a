/**
 * @module
 * Kdniao's real-time query (RequestType 1002) reply to an {@link UpstreamAnswer}.
 *
 * `{"EBusinessID","ShipperCode","LogisticCode","Success":true,"State":"2","StateEx"?:"201",
 * "Traces":[{"AcceptTime","AcceptStation","Remark"?,"Location"?,"Action"?}]}`, oldest first.
 * `Success: false` is a refusal (bad sign, quota); `State` 0 (暂无轨迹信息) is "no such
 * waybill". The detailed `StateEx` wins over `State` when the table knows it.
 *
 * States to order_status: 1 已揽收 1; 2 在途中 2, 201 到达派件城市 2, 202 派件中 3, 211 入柜或驿站
 * 3; 3 签收 4, 301 正常签收 4, 302 异常后签收 4, 304 代收 6, 311 柜或驿站签收 6; 4 问题件 and
 * every 4xx 5; 5 转寄 2; 6 清关 2.
 */
import type { OrderStatus } from '../protocol/order-info.js';
import { isRecord, scalarText, type UpstreamAnswer, type UpstreamTrace } from './upstream-answer.js';

export const KDNIAO_STATES: Readonly<Record<string, OrderStatus>> = Object.freeze({
  '1': 1,
  '2': 2,
  '201': 2,
  '202': 3,
  '211': 3,
  '3': 4,
  '301': 4,
  '302': 4,
  '304': 6,
  '311': 6,
  '4': 5,
  '401': 5,
  '402': 5,
  '403': 5,
  '404': 5,
  '405': 5,
  '406': 5,
  '407': 5,
  '412': 5,
  '5': 2,
  '6': 2,
});

const lookup = (code: string | undefined): OrderStatus | undefined =>
  code !== undefined && Object.hasOwn(KDNIAO_STATES, code) ? KDNIAO_STATES[code] : undefined;

export function mapKdniao(reply: unknown, fallback: OrderStatus): UpstreamAnswer {
  if (!isRecord(reply)) return { kind: 'garbage' };
  if (reply.Success === false) return { kind: 'refused' };
  if (reply.Success !== true) return { kind: 'garbage' };
  const state = scalarText(reply.State);
  if (state === undefined) return { kind: 'garbage' };
  if (reply.Traces !== undefined && !Array.isArray(reply.Traces)) return { kind: 'garbage' };
  const raw = (reply.Traces ?? []) as unknown[];
  if (state === '0' && raw.length === 0) return { kind: 'unknown' };
  const traces: UpstreamTrace[] = [];
  for (const item of raw) {
    if (!isRecord(item)) continue;
    const time = scalarText(item.AcceptTime);
    const text = scalarText(item.AcceptStation);
    if (time === undefined || text === undefined) continue;
    const place = scalarText(item.Location) ?? scalarText(item.Remark);
    const status = lookup(scalarText(item.Action));
    traces.push({
      time,
      text,
      ...(place === undefined ? {} : { place }),
      ...(status === undefined ? {} : { status }),
    });
  }
  const status = lookup(scalarText(reply.StateEx)) ?? lookup(state);
  const eta = scalarText(reply.EstimatedDeliveryTime);
  return {
    kind: 'found',
    status: status ?? fallback,
    traces,
    order: 'oldest-first',
    ...(eta === undefined ? {} : { eta }),
    ...(status === undefined ? { unmapped: true } : {}),
  };
}
