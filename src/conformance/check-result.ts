/**
 * @module
 * What `wxtrack check` reports: one result per check (and per waybill for the reply checks), each
 * named by a stable id from the catalogue below, with its title in English and 中文. The ids are
 * the contract: tests, `--json` consumers and the report all name a fault by them.
 */

export type CheckFamily = 'reply' | 'security' | 'load';
/**
 * `fail`: the spec is broken, or WeChat's page would break. `warn`: legal, but unlike the spec's
 * own example; the detail says why it is named. `pass`. `skip`: the check does not apply (no
 * successful OrderInfo, nothing readable). Only a fail makes a run fail.
 */
export type CheckOutcome = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckDefinition {
  readonly family: CheckFamily;
  readonly en: string;
  readonly zh: string;
}

/** Every check, in report order. Ids are never renamed, only added. */
export const CHECKS = Object.freeze({
  // The reply WeChat's page reads (spec §OrderInfo说明), per waybill.
  'http-status': { family: 'reply', en: 'HTTP status is 200', zh: 'HTTP 状态码为 200' },
  'content-type': {
    family: 'reply',
    en: 'Content-Type is JavaScript, UTF-8',
    zh: 'Content-Type 为 JavaScript、UTF-8',
  },
  'body-shape': {
    family: 'reply',
    en: 'Body is exactly WxOrderCb(JSON) with the OrderInfo fields',
    zh: '响应体恰为 WxOrderCb(JSON),字段符合 OrderInfo',
  },
  'err-code': { family: 'reply', en: 'err_code 0 and err_msg "ok"', zh: 'err_code 为 0,err_msg 为 "ok"' },
  'order-status': { family: 'reply', en: 'order_status is 0–6', zh: 'order_status 取值 0–6' },
  'accept-time': {
    family: 'reply',
    en: 'accept_time is yyyy-mm-dd hh:mm:ss',
    zh: 'accept_time 格式为 yyyy-mm-dd hh:mm:ss',
  },
  'accept-address': {
    family: 'reply',
    en: 'accept_address is "status\\ndescription"',
    zh: 'accept_address 格式为 “状态\\n描述”',
  },
  'trace-order': { family: 'reply', en: 'Traces are in time order', zh: '轨迹按时间排序' },
  'cell-length': {
    family: 'reply',
    en: 'Cell key ≤ 20 and value ≤ 10 characters',
    zh: 'Cell key 不超过 20 字符,value 不超过 10 字符',
  },
  eta: {
    family: 'reply',
    en: 'estimated_delivery_time is yyyy-mm-dd, only while not signed (4, 6)',
    zh: 'estimated_delivery_time 格式 yyyy-mm-dd,仅在未签收(非 4、6)时返回',
  },
  'script-escape': {
    family: 'reply',
    en: '</script, U+2028 and U+2029 are escaped',
    zh: '</script、U+2028、U+2029 已转义',
  },
  // Security probes: each sends what an attacker would and reports what it saw.
  'bad-signature': { family: 'security', en: 'A bad signature is refused', zh: '错误签名被拒绝' },
  'stale-timestamp': {
    family: 'security',
    en: 'A timestamp 10 minutes off is refused',
    zh: '偏差 10 分钟的时间戳被拒绝',
  },
  'replay-openid': {
    family: 'security',
    en: 'A signature replayed with another openid is refused',
    zh: '同一签名换 openid 重放被拒绝',
  },
  'replay-orderid': {
    family: 'security',
    en: 'A signature replayed with another orderid is refused',
    zh: '同一签名换 orderid 重放被拒绝',
  },
  'foreign-callback': {
    family: 'security',
    en: 'A foreign callback name is not echoed',
    zh: '非 WxOrderCb 的 callback 不被回显',
  },
  'repeated-parameter': {
    family: 'security',
    en: 'A repeated parameter is refused',
    zh: '重复参数被拒绝',
  },
  'missing-parameter': {
    family: 'security',
    en: 'A missing parameter is refused',
    zh: '缺少参数被拒绝',
  },
  // Performance.
  load: {
    family: 'load',
    en: 'Bounded load: no errors, p99 within budget',
    zh: '限量压测:无错误,p99 在预算内',
  },
} satisfies Record<string, CheckDefinition>);

export type CheckId = keyof typeof CHECKS;

export interface CheckResult {
  readonly id: CheckId;
  readonly outcome: CheckOutcome;
  /** What was seen, in plain words (never the token). */
  readonly detail: string;
  /** The waybill a reply check read; absent for probes. */
  readonly orderid?: string;
}

/** The catalogue's rate-limit refusal (protocol/errors.ts), as the probes name it. */
export const RATE_LIMITED = 42901;
export const RATE_LIMITED_HINT =
  "the endpoint's rate limit answered: raise it for the probe, or run it from an address you trust (or give check --rate-budget)";

/** Latency and error figures of the load probe. */
export interface LoadFigures {
  readonly connections: number;
  readonly seconds: number;
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requestsPerSecond: number;
  /** True when the hard cap on requests, not the time, ended the run. */
  readonly capped: boolean;
  /**
   * Replies by what they were: `"0"` served, `"42901"` and other err_codes, `"HTTP 502"` for a
   * reply that is not JSONP with an err_code, `"no reply"` for a failed connection.
   */
  readonly byCode: Readonly<Record<string, number>>;
  /** Queries a minute the operator allowed the whole check (`--rate-budget`), if given. */
  readonly rateBudget?: number;
}

export interface CheckReport {
  /** The endpoint, without any query. */
  readonly endpoint: string;
  readonly orderids: readonly string[];
  readonly companyId?: string;
  /** ISO time the run started. */
  readonly startedAt: string;
  readonly results: readonly CheckResult[];
  readonly load?: LoadFigures;
  readonly passed: boolean;
}

export const pass = (id: CheckId, detail: string, orderid?: string): CheckResult => ({
  id,
  outcome: 'pass',
  detail,
  ...(orderid === undefined ? {} : { orderid }),
});
export const fail = (id: CheckId, detail: string, orderid?: string): CheckResult => ({
  id,
  outcome: 'fail',
  detail,
  ...(orderid === undefined ? {} : { orderid }),
});
export const warn = (id: CheckId, detail: string, orderid?: string): CheckResult => ({
  id,
  outcome: 'warn',
  detail,
  ...(orderid === undefined ? {} : { orderid }),
});
export const skip = (id: CheckId, detail: string, orderid?: string): CheckResult => ({
  id,
  outcome: 'skip',
  detail,
  ...(orderid === undefined ? {} : { orderid }),
});
