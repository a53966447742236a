/**
 * @module
 * Kuaidi100's real-time query reply to an {@link UpstreamAnswer}.
 *
 * A found parcel: `{"message":"ok","state":"0","status":"200","ischeck":"0","com":…,"nu":…,
 * "data":[{"context","time","ftime","areaName"?,"statusCode"?}]}`, newest first. No such
 * waybill: `{"result":false,"returnCode":"500","message":"查询无结果…"}`; any other returnCode
 * (400 bad data, 503 bad sign, 601 key expired, …) is a refusal.
 *
 * `state` to order_status (WeChat's 0 待揽件, 1 已揽件, 2 运输中, 3 派送中, 4 已签收, 5 签收异常,
 * 6 代签收). Returns, refusals and problem parcels are 5: to the addressee, the parcel is not
 * coming as planned. Customs states are still on the way (2), except customs trouble (13).
 * The sub-states of `resultv2=1` refine it: 101/102 (ordered, awaiting pickup) are 0, 303/304
 * (signed by someone else, a locker or a station) are 6.
 */
import type { OrderStatus } from '../protocol/order-info.js';
import { isRecord, scalarText, type UpstreamAnswer, type UpstreamTrace } from './upstream-answer.js';

export const KUAIDI100_STATES: Readonly<Record<string, OrderStatus>> = Object.freeze({
  '0': 2, // 在途
  '1': 1, // 揽收
  '2': 5, // 疑难
  '3': 4, // 签收
  '4': 5, // 退签
  '5': 3, // 派件
  '6': 5, // 退回
  '7': 2, // 转单 / 转投
  '8': 2, // 清关
  '10': 2, // 待清关
  '11': 2, // 清关中
  '12': 2, // 已清关
  '13': 5, // 清关异常
  '14': 5, // 收件人拒签
  // resultv2=1 sub-states
  '101': 0, // 已下单
  '102': 0, // 待揽收
  '103': 1, // 已揽收
  '1001': 2, // 到达派件城市
  '1002': 2, // 干线
  '1003': 2, // 转递
  '501': 3, // 投柜或驿站
  '301': 4, // 本人签收
  '302': 4, // 派件异常后签收
  '303': 6, // 代签
  '304': 6, // 投柜或站签收
  '401': 5, // 已销单
  '601': 5, // 退回
  '1401': 5, // 拒签
});

export function mapKuaidi100(reply: unknown, fallback: OrderStatus): UpstreamAnswer {
  if (!isRecord(reply)) return { kind: 'garbage' };
  if (reply.result === false || (reply.returnCode !== undefined && reply.data === undefined)) {
    return scalarText(reply.returnCode) === '500' ? { kind: 'unknown' } : { kind: 'refused' };
  }
  const state = scalarText(reply.state);
  if (state === undefined || !Array.isArray(reply.data)) return { kind: 'garbage' };
  const traces: UpstreamTrace[] = [];
  for (const item of reply.data as unknown[]) {
    if (!isRecord(item)) continue;
    const time = scalarText(item.ftime) ?? scalarText(item.time);
    const text = scalarText(item.context);
    if (time === undefined || text === undefined) continue;
    const place = scalarText(item.areaName);
    const code = scalarText(item.statusCode);
    const status = code === undefined ? undefined : KUAIDI100_STATES[code];
    traces.push({
      time,
      text,
      ...(place === undefined ? {} : { place }),
      ...(status === undefined ? {} : { status }),
    });
  }
  const status = Object.hasOwn(KUAIDI100_STATES, state) ? KUAIDI100_STATES[state] : undefined;
  const eta = scalarText(reply.arrivalTime);
  return {
    kind: 'found',
    status: status ?? fallback,
    traces,
    order: 'newest-first',
    ...(eta === undefined ? {} : { eta }),
    ...(status === undefined ? { unmapped: true } : {}),
  };
}
