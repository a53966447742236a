/**
 * @module
 * Everything WeChat's query route does between a request line and its reply, shared by the two
 * ways a query arrives: the fast path in front of Fastify (track-fast-path.ts, every query on a
 * listening server) and the Fastify route (track-route.ts: `app.inject`, HEAD, a drain). One
 * place, so both give the same bytes, headers, log lines, metrics and budget.
 *
 * In order: the client's budget (address-budget.ts; spent → JSONP 42901), the answer
 * (gateway/answer-query.ts), metrics, and the log line: refusals sampled (refusal-log.ts), since
 * anyone can send unsigned queries and must not grow the log without bound.
 *
 * Synchronous when the answer is (gateway/answer-query.ts): a reply returned, not a promise of
 * it, so the fast path writes it in the same turn as the request arrived.
 */
import type { Answer, QueryAnswerer } from '../gateway/answer-query.js';
import { Errors } from '../protocol/errors.js';
import { errorBodies } from '../protocol/order-info.js';
import type { AddressBudget } from './address-budget.js';
import {
  flatHeaders,
  PLAIN_ERROR_HEADERS,
  PLAIN_ERROR_HEADERS_FLAT,
  TRACK_GZIP_HEADERS,
  TRACK_GZIP_HEADERS_FLAT,
  TRACK_HEADERS,
  TRACK_HEADERS_FLAT,
} from './headers.js';
import { hashOpenid, type Logger } from './logging.js';

export interface TrackHandlerOptions {
  readonly answer: QueryAnswerer;
  readonly logger: Logger;
  /** Log every query, not only refusals. */
  readonly accessLog: boolean;
  /** The callback name of the 42901 refusal (the spec's one: WxOrderCb). */
  readonly callback: string;
  /** Per-address budget; none: no limit. */
  readonly budget?: AddressBudget;
  /** Sees every answer and its duration, seconds (metrics). */
  readonly observe?: (answer: Pick<Answer, 'outcome' | 'carrier' | 'error'>, seconds: number) => void;
  /** Whether to log a refusal of this code: `undefined` skips it, else the count skipped before. */
  readonly sampleRefusal?: (code: number) => number | undefined;
}

export interface TrackReply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The same headers as a flat `[name, value, …]` array, for `writeHead`. */
  readonly flat: readonly string[];
  readonly body: string | Buffer;
}

/** One query: the text after `?`, whether the client takes gzip, its address, a request id. */
export type TrackHandler = (
  search: string,
  gzip: boolean,
  address: string | undefined,
  reqId: string,
) => TrackReply | Promise<TrackReply>;

export function createTrackHandler(options: TrackHandlerOptions): TrackHandler {
  const { answer, logger, accessLog, budget, observe, sampleRefusal } = options;
  const limited = errorBodies(options.callback).get(Errors.RATE_LIMITED)!;
  /** Logs a line unless it is skipped; `fields` is called only for a line that is written. */
  const log = (code: number, fields: () => Record<string, unknown>, error?: unknown) => {
    const suppressed = code === 0 || sampleRefusal === undefined ? 0 : sampleRefusal(code);
    if ((code === 0 && !accessLog) || suppressed === undefined) return;
    const line = { ...fields(), code, suppressed: suppressed > 0 ? suppressed : undefined };
    if (error !== undefined) logger.error({ ...line, err: error }, 'track query failed');
    else if (code === 0) logger.info(line, 'track query');
    else logger.warn(line, 'track query refused');
  };
  const finish = (result: Answer, reqId: string, started: number): TrackReply => {
    observe?.(result, (performance.now() - started) / 1000);
    // The fields (a hash of the openid among them) are built only for a line that is written:
    // served queries are not logged by default, and hashing every openid cost ~1.5 µs a query.
    log(
      result.outcome.code,
      () => ({
        reqId,
        carrier: result.carrier,
        orderid: result.orderid,
        user: result.openid === undefined ? undefined : hashOpenid(result.openid),
      }),
      result.error,
    );
    // Only the callback refusal is not JSONP, and says so in its type.
    if (result.status !== 200)
      return {
        status: result.status,
        headers: PLAIN_ERROR_HEADERS,
        flat: PLAIN_ERROR_HEADERS_FLAT,
        body: result.body,
      };
    return result.encoding === 'gzip'
      ? { status: 200, headers: TRACK_GZIP_HEADERS, flat: TRACK_GZIP_HEADERS_FLAT, body: result.body }
      : { status: 200, headers: TRACK_HEADERS, flat: TRACK_HEADERS_FLAT, body: result.body };
  };
  const limitedReply = (retryAfter: number, reqId: string): TrackReply => {
    observe?.({ outcome: Errors.RATE_LIMITED }, 0);
    log(Errors.RATE_LIMITED.code, () => ({ reqId }));
    const headers = { ...TRACK_HEADERS, 'retry-after': String(retryAfter) };
    return { status: 200, headers, flat: flatHeaders(headers), body: limited };
  };
  const answered = (search: string, gzip: boolean, reqId: string): TrackReply | Promise<TrackReply> => {
    const started = observe === undefined ? 0 : performance.now();
    const result = answer(search, gzip);
    if (!(result instanceof Promise)) return finish(result, reqId, started);
    return result.then((r) => finish(r, reqId, started));
  };
  return (search, gzip, address, reqId) => {
    const taken = budget?.take(address ?? '');
    // The memory budget answers at once; a shared one (Redis) with a promise.
    if (taken instanceof Promise) {
      return taken.then((retryAfter) =>
        retryAfter !== undefined ? limitedReply(retryAfter, reqId) : answered(search, gzip, reqId),
      );
    }
    if (taken !== undefined) return limitedReply(taken, reqId);
    return answered(search, gzip, reqId);
  };
}
