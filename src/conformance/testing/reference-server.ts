/**
 * @module
 * A small stand-alone JSONP endpoint for the checker's tests, correct by default, with one
 * deliberate fault (or, for `cells-object-and-eta`, two on one waybill): the mistakes a courier's
 * own implementation makes, and one legal choice (`no-cells`) the checker must not call a fault. It listens on 127.0.0.1 only, and records every nonce it sees.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jsonpBody, stringifyForScript } from '../../protocol/jsonp.js';
import { readTrackQuery } from '../../protocol/query.js';
import { verifySignature } from '../../protocol/signature.js';

export type Fault =
  | 'none'
  /** `/**\/WxOrderCb(...)`, as some JSONP libraries write. */
  | 'jsonp-prefix'
  /** Plain JSON.stringify: `</script>` and U+2028 left raw. */
  | 'no-script-escape'
  /** Any valid signature is accepted again, for any orderid or openid. */
  | 'no-replay-guard'
  /** accept_time as `2026/07/08 12:00:00`. */
  | 'time-format'
  /** A cell value of 11 characters. */
  | 'long-cell-value'
  /** An ETA on a signed parcel. */
  | 'eta-on-signed'
  /** No `cells` field at all: legal, since the spec never requires it. */
  | 'no-cells'
  /** Two faults on the signed waybill: `cells` an object, not an array, and an ETA. */
  | 'cells-object-and-eta'
  /** A per-client limit of {@link REFERENCE_RATE_LIMIT} queries, then 42901, as wxtrack answers. */
  | 'rate-limit';

/** Queries the `rate-limit` fault answers before 42901. */
export const REFERENCE_RATE_LIMIT = 30;

export const IN_TRANSIT = 'RF0000000002';
export const SIGNED = 'RF0000000004';
export const REFERENCE_TOKEN = 'reference-token-7';

const trace = (time: string, label: string, text: string, place: string) => ({
  accept_time: time,
  accept_address: label + '\n' + text,
  remark: place,
});

function orderInfo(orderid: string, fault: Fault): Record<string, unknown> | undefined {
  const cellValue = fault === 'long-cell-value' ? '请点击这里支付运单费用' : '去支付';
  const cellList = [{ key: 'wxpay', value: cellValue, status: 'state=unpaid' }];
  const twoFaults = fault === 'cells-object-and-eta' && orderid === SIGNED;
  const cells = fault === 'no-cells' ? {} : { cells: twoFaults ? { wxpay: cellList[0] } : cellList };
  const time = (t: string) => (fault === 'time-format' ? t.replace(/-/g, '/') : t);
  const early = [
    trace(time('2026-07-07 09:00:00'), '已揽件', '快件已揽收', '杭州'),
    // Text that must be escaped before it goes into a <script>.
    trace(time('2026-07-07 18:30:00'), '运输中', '快件</script>已发出\u2028前往深圳', '杭州'),
  ];
  if (orderid === IN_TRANSIT) {
    return {
      err_code: 0,
      err_msg: 'ok',
      order_status: 2,
      estimated_delivery_time: '2026-07-09',
      traces: early,
      ...cells,
    };
  }
  if (orderid === SIGNED) {
    return {
      err_code: 0,
      err_msg: 'ok',
      order_status: 4,
      ...(fault === 'eta-on-signed' || twoFaults ? { estimated_delivery_time: '2026-07-09' } : {}),
      traces: [...early, trace(time('2026-07-08 11:00:00'), '已签收', '本人签收', '深圳')],
      ...cells,
    };
  }
  return undefined;
}

export interface ReferenceServer {
  readonly url: string;
  /** Every nonce received, in order. */
  readonly nonces: string[];
  close(): Promise<void>;
}

export async function referenceServer(fault: Fault, now: () => number): Promise<ReferenceServer> {
  const nonces: string[] = [];
  const seen = new Map<string, string>();
  const callbacks = new Set(['WxOrderCb']);
  const server = http.createServer((req, res) => {
    const url = req.url ?? '';
    const q = url.indexOf('?');
    const read = readTrackQuery(q < 0 ? '' : url.slice(q + 1), callbacks);
    const send = (json: string) => {
      const body = (fault === 'jsonp-prefix' ? '/**/' : '') + jsonpBody('WxOrderCb', json);
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(body);
    };
    const refuse = (code: number) => send(stringifyForScript({ err_code: code, err_msg: 'refused' }));
    if (!read.ok && read.problem === 'callback') {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('bad callback');
      return;
    }
    if (!read.ok) return refuse(40004);
    const query = read.query;
    nonces.push(query.nonce);
    if (fault === 'rate-limit' && nonces.length > REFERENCE_RATE_LIMIT) return refuse(42901);
    if (!verifySignature([REFERENCE_TOKEN], query.signature, query.timestamp, query.nonce).ok)
      return refuse(40001);
    if (Math.abs(Number(query.timestamp) - now() / 1000) > 300) return refuse(40002);
    const who = query.orderid + '|' + query.openid;
    const before = seen.get(query.signature);
    if (fault !== 'no-replay-guard' && before !== undefined && before !== who) return refuse(40003);
    seen.set(query.signature, who);
    const info = orderInfo(query.orderid, fault);
    if (!info) return refuse(40401);
    send(fault === 'no-script-escape' ? JSON.stringify(info) : stringifyForScript(info));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/track`,
    nonces,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
