/**
 * @module
 * A carrier as the query path sees it: who it is, which tokens sign for it, which waybill numbers
 * are its own, and how its times are written. Everything past the first six fields is optional so
 * that a carrier built from the foundation's flags (or by a test) stays a valid Carrier; the
 * configuration file fills them all in.
 */
import type { PrivacyRules } from '../privacy/privacy-rules.js';

import type { PullSettings } from '../pull/pull-settings.js';
import type { EventCodeMapping } from '../tracking/event-codes.js';

/** `test`: WeChat's review phase, only whitelisted waybills are served. `production`: all. */
export type CarrierEnvironment = 'test' | 'production';

/**
 * A carrier's own ingest settings from the configuration file. Each one left out takes the global
 * value (`--event-codes`, `--retention-days`, `--body-limit` or their variables, else the
 * default), so one gateway can hold carriers whose exports, retention rules and batch sizes differ.
 */
export interface CarrierIngest {
  /** Scan codes: the built-in table with the carrier's own laid over it (or replacing it). */
  readonly eventCodes?: EventCodeMapping;
  /** Days of history kept for this carrier. */
  readonly retentionDays?: number;
  /** Largest `POST /v1/events` body this carrier's keys may send, bytes. */
  readonly bodyLimitBytes?: number;
}

/** A cell registered with WeChat (spec §落地页Cell信息): events may only name registered keys. */
export interface RegisteredCell {
  /** The cell's code, at most 20 code points; events and the waybill API refer to it. */
  readonly key: string;
  /** What WeChat shows on the button, e.g. 支付运单. */
  readonly name: string;
  /** Where a tap leads (mini-program path or URL); WeChat appends the signed parameters. */
  readonly link: string;
}

/** How a carrier's traces are laid out in OrderInfo. */
export interface TraceOptions {
  /** `oldest-first` as in the spec's full example (default), or `newest-first`. */
  readonly order: 'oldest-first' | 'newest-first';
  /** `label-description` writes `运输中\n快件已...` (default); `description` writes the description alone. */
  readonly address: 'label-description' | 'description';
}

export const DEFAULT_TRACE_OPTIONS: TraceOptions = Object.freeze({
  order: 'oldest-first',
  address: 'label-description',
});

/**
 * What the application email to WeChat states beyond the carrier's other settings (spec §1.邮件申请).
 * Every field is optional: `wxtrack apply` names the ones still missing.
 */
export interface CarrierApplication {
  /** 计划实现的功能: the features planned, in the courier's words. */
  readonly features?: string;
  /** 运力小程序的appid: the courier's WeChat-certified mini program. */
  readonly miniProgramAppId?: string;
  /** 运力的正式服务器地址: the endpoint WeChat queries in production. */
  readonly productionUrl?: string;
  /** 运力的测试服务器地址: the endpoint WeChat tests against. */
  readonly testUrl?: string;
  /** 运力跳转小程序appid和path: where the landing page's courier link leads. */
  readonly jumpAppId?: string;
  readonly jumpPath?: string;
}

export interface Carrier {
  /** The `company_id` WeChat sends for it (aggregators); any short code for a single carrier. */
  readonly id: string;
  /** Display name, e.g. 圆通速递; used in summaries and the registration sheet. */
  readonly name: string;
  /** Accepted WeChat tokens; the first is current, the rest verify during a rotation. */
  readonly tokens: readonly string[];
  /** The registered waybill regular expression, as registered (unanchored source). */
  readonly waybillPattern: string;
  /** The same, anchored at both ends and compiled once. */
  readonly waybillMatcher: RegExp;
  /** IANA zone for `accept_time` and for event times without an offset. */
  readonly timezone: string;
  /** Customer-service phone registered with WeChat (运力客服电话). */
  readonly phone?: string;
  /** Registered cells; when set, events may only use these keys. */
  readonly cells?: readonly RegisteredCell[];
  /** Default `production`. */
  readonly environment?: CarrierEnvironment;
  /** Waybills WeChat may query while `environment` is `test` (白名单测试运单码). */
  readonly testWaybills?: ReadonlySet<string>;
  /** Trace layout; {@link DEFAULT_TRACE_OPTIONS} when absent. */
  readonly trace?: TraceOptions;
  /** The application email's own fields (`wxtrack apply`). */
  readonly application?: CarrierApplication;
  /** Pull mode: replies come from this upstream tracking API, not from the store (src/pull/). */
  readonly upstream?: PullSettings;
  /**
   * Privacy tiers (privacy/): what a stranger's reply masks. Absent means masking with the
   * built-in rules (`DEFAULT_PRIVACY`), as for a new configuration.
   */
  readonly privacy?: PrivacyRules;
  /** The carrier's own scan codes, retention and body limit; global values for what it leaves out. */
  readonly ingest?: CarrierIngest;
}

/** Compiles a registered pattern, anchored on both ends so `YT1` never matches inside `XYT12`. */
export function compileWaybillPattern(source: string): RegExp {
  return new RegExp('^(?:' + source + ')$');
}

/**
 * Whether the carrier may answer for this waybill at all: in `test` mode only whitelisted
 * waybills are served, so a half-configured carrier never shows real parcels during review.
 */
export function servesWaybill(carrier: Carrier, waybill: string): boolean {
  return carrier.environment !== 'test' || (carrier.testWaybills?.has(waybill) ?? false);
}

/** The registered cell keys of a carrier, or `undefined` when it registered none (no check). */
export function cellKeysOf(carrier: Carrier): ReadonlySet<string> | undefined {
  return carrier.cells === undefined ? undefined : new Set(carrier.cells.map((c) => c.key));
}
