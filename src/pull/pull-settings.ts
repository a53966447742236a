/**
 * @module
 * What a pull-mode carrier is configured with, resolved (secrets read, defaults filled): where
 * its upstream tracking API is, how to sign a request, how to read a reply, and the limits that
 * keep wxtrack a polite client of it.
 *
 * The defaults, and why:
 * - fresh 30 min: Kuaidi100 publishes "about once per 30 minutes" per waybill, and 24 h / 30 min
 *   is exactly its 48-call lock threshold, so one node refreshing a hot waybill on the default
 *   can never reach the lock on refreshes alone. A parcel's scans are hours apart (hub to hub),
 *   so 30 minutes of staleness is rarely visible.
 * - signed fresh 24 h: a signed parcel's trace is final; refreshing it buys nothing.
 * - unknown fresh 5 min: a number not yet known upstream (label printed, not yet scanned) should
 *   appear soon, but a burst of queries for it must not each cost a call.
 * - max stale 2 h past freshness: long enough to ride out an upstream outage of the kind that
 *   gets fixed by a person, short enough that nobody is shown a morning's trace at night.
 * - per waybill 48 calls in 24 h: Kuaidi100's lock threshold; anything that can lock a waybill
 *   for a day must never be reached.
 * - timeout 2 s: WeChat waits about 5 s for the whole query; 2 s leaves room for the rest.
 * - 32 calls in flight: at 2 s per call at worst, 16 calls/s of misses per node, far above what
 *   a 90 % hit ratio needs, and a hard bound on what a burst of unknown numbers can cost.
 * - body 256 KiB: a 200-trace reply is about 40 KiB.
 * - breaker: 5 failures in a row open it for 30 s, then one trial call decides.
 */
import type { OrderStatus } from '../protocol/order-info.js';

export type PresetName = 'kuaidi100' | 'kdniao' | 'generic';

/** How a generic request is authenticated. Secrets are resolved values, never logged. */
export type GenericAuth =
  | { readonly kind: 'none' }
  | { readonly kind: 'bearer'; readonly token: string }
  | {
      readonly kind: 'hmac-sha256';
      readonly secret: string;
      /** Header carrying the hex signature (default `X-Signature`). */
      readonly header: string;
      /** Header carrying the epoch seconds that were signed (default `X-Timestamp`). */
      readonly timestampHeader: string;
    };

/** Where the generic mapping finds things, as JSON paths (json-path.ts). */
export interface GenericMapping {
  /** The trace list (an array). */
  readonly traces: string;
  /** Within one trace: its time, its text, and optionally its place and status code. */
  readonly time: string;
  readonly text: string;
  readonly place?: string;
  readonly traceStatus?: string;
  /** The waybill's status code; without it, the newest trace's status code. */
  readonly status?: string;
  /** Upstream status codes (as text) to order_status. */
  readonly statusCodes: Readonly<Record<string, OrderStatus>>;
  /** The ETA (a date or date-time, its date is used). */
  readonly eta?: string;
  /**
   * Personal fields (privacy tiers): the recipient's name and phone and the pickup code. A path
   * starting with `$` is read from the whole reply (the waybill's value: hidden from strangers
   * wherever a trace repeats it); any other within each trace (drawn after that trace's text for
   * owners, masked for strangers, as a pushed event's fields are).
   */
  readonly recipientName?: string;
  readonly recipientPhone?: string;
  readonly pickupCode?: string;
  /** The upstream's own answer for "no such waybill": a path and the value(s) it then holds. */
  readonly notFound?: { readonly path: string; readonly values: readonly string[] };
  /** The order of the upstream's trace list. */
  readonly order: 'oldest-first' | 'newest-first';
}

export interface RequestSettings {
  readonly preset: PresetName;
  readonly url: string;
  /** The upstream's own code for this carrier (`com`, `ShipperCode`), `{company}` in templates. */
  readonly company: string;
  /** kuaidi100: `customer` and `key`. kdniao: `EBusinessID` and `AppKey`. */
  readonly account?: string;
  readonly key?: string;
  /** generic only. */
  readonly method?: 'GET' | 'POST';
  readonly query?: Readonly<Record<string, string>>;
  readonly form?: Readonly<Record<string, string>>;
  readonly json?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly auth?: GenericAuth;
}

export interface CacheSettings {
  readonly freshMs: number;
  readonly signedFreshMs: number;
  readonly unknownFreshMs: number;
  /** How long past freshness a reply may still be served while refreshes fail. */
  readonly maxStaleMs: number;
  /** After a failed refresh, the wait before a query may start another one for that waybill. */
  readonly retryMs: number;
  /** Waybills cached on the node at most (least recently used go first). */
  readonly maxEntries: number;
}

export interface BudgetSettings {
  readonly perWaybill: number;
  readonly windowMs: number;
  readonly inFlight: number;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
}

export interface BreakerSettings {
  readonly failures: number;
  readonly openMs: number;
}

export interface PullSettings {
  readonly request: RequestSettings;
  /** Only for the generic preset. */
  readonly mapping?: GenericMapping;
  /** order_status for an upstream status code the tables do not know. */
  readonly fallbackStatus: OrderStatus;
  readonly cache: CacheSettings;
  readonly budget: BudgetSettings;
  readonly breaker: BreakerSettings;
}

const MINUTE = 60_000;

export const DEFAULT_CACHE: CacheSettings = Object.freeze({
  freshMs: 30 * MINUTE,
  signedFreshMs: 24 * 60 * MINUTE,
  unknownFreshMs: 5 * MINUTE,
  maxStaleMs: 120 * MINUTE,
  retryMs: 30_000,
  maxEntries: 200_000,
});

export const DEFAULT_BUDGET: BudgetSettings = Object.freeze({
  perWaybill: 48,
  windowMs: 24 * 60 * MINUTE,
  inFlight: 32,
  timeoutMs: 2_000,
  maxBodyBytes: 256 * 1024,
});

export const DEFAULT_BREAKER: BreakerSettings = Object.freeze({ failures: 5, openMs: 30_000 });

/** Settings with every default filled in, for code and tests that give only the request. */
export function pullSettings(
  request: RequestSettings,
  rest: {
    readonly mapping?: GenericMapping;
    readonly fallbackStatus?: OrderStatus;
    readonly cache?: Partial<CacheSettings>;
    readonly budget?: Partial<BudgetSettings>;
    readonly breaker?: Partial<BreakerSettings>;
  } = {},
): PullSettings {
  return Object.freeze({
    request,
    ...(rest.mapping ? { mapping: rest.mapping } : {}),
    fallbackStatus: rest.fallbackStatus ?? 2,
    cache: Object.freeze({ ...DEFAULT_CACHE, ...rest.cache }),
    budget: Object.freeze({ ...DEFAULT_BUDGET, ...rest.budget }),
    breaker: Object.freeze({ ...DEFAULT_BREAKER, ...rest.breaker }),
  });
}

/** True when every carrier pulls: the gateway then needs no store of events. */
export const allPull = (carriers: readonly { readonly upstream?: PullSettings }[]): boolean =>
  carriers.length > 0 && carriers.every((c) => c.upstream !== undefined);
