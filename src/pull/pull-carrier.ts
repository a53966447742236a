/**
 * @module
 * One pull-mode carrier: its replies come from its upstream tracking API, through a node-local
 * cache with its own freshness rules. The decisions are the pure parts beside it (cache-policy,
 * call-budget, breaker, single-flight, the mappers, pulled-reply); this file only sequences them
 * around the one I/O call, on an injected clock.
 *
 * A query:
 * 1. fresh entry: served synchronously, no promise (the query path's fast case);
 * 2. stale entry (within the stale limit): served synchronously, and one refresh starts in the
 *    background unless one failed less than the retry wait ago;
 * 3. no entry, or past the stale limit: waits for the call (single flight), bounded by the
 *    timeout; a failure then rejects with a {@link PullError} (the gateway answers 50001).
 *
 * A call is admitted only when the calls in flight are under their cap, the waybill has budget
 * left in its window, and the breaker allows it; otherwise it fails at once with that kind.
 *
 * Each entry holds both privacy tiers of the reply (pulled-reply.ts): the owner's full one and the
 * stranger's masked one, rendered from the same fetch, so choosing a tier (pull-reply-source.ts)
 * never costs an upstream call.
 */
import type { Carrier } from '../carrier/carrier.js';
import type { Clock } from '../clock/clock.js';
import { DEFAULT_PRIVACY, type PrivacyRules } from '../privacy/privacy-rules.js';
import type { MaybePromise, Reply } from '../reply/reply-source.js';
import { Breaker } from './breaker.js';
import { freshness, shouldRefresh } from './cache-policy.js';
import { CallBudget } from './call-budget.js';
import type { UpstreamHttp } from './http-client.js';
import { compileGenericMapping } from './map-generic.js';
import { mapKdniao } from './map-kdniao.js';
import { mapKuaidi100 } from './map-kuaidi100.js';
import {
  emptyPullStats,
  observeLatency,
  type FailureKind,
  type PullCarrierStats,
  type PullStats,
} from './pull-metrics.js';
import type { PullSettings } from './pull-settings.js';
import { renderPulled } from './pulled-reply.js';
import { SingleFlight } from './single-flight.js';
import type { UpstreamAnswer } from './upstream-answer.js';
import { buildUpstreamRequest } from './upstream-request.js';

/** A query that no fresh call could answer and no servable cached reply covered. */
export class PullError extends Error {
  constructor(readonly kind: FailureKind) {
    super(`upstream unavailable: ${kind}`);
    this.name = 'PullError';
  }
}

/** A waybill's reply in both privacy tiers (the same object twice when masking changes nothing). */
export interface PulledTiers {
  readonly full: Reply;
  readonly masked: Reply;
}

interface Entry {
  /** `undefined`: no such waybill upstream. */
  readonly tiers: PulledTiers | undefined;
  readonly fetchedAt: number;
  readonly signed: boolean;
  readonly unknown: boolean;
  failedAt?: number;
}

type Outcome =
  { readonly ok: true; readonly entry: Entry } | { readonly ok: false; readonly kind: FailureKind };

export interface PullCarrierDeps {
  readonly carrier: Pick<Carrier, 'id' | 'timezone' | 'trace' | 'privacy'>;
  /** The carrier's privacy rules in force, read per fetch; `carrier.privacy` when left out. */
  readonly privacyOf?: () => PrivacyRules;
  readonly settings: PullSettings;
  readonly clock: Clock;
  readonly http: UpstreamHttp;
  /** Monotonic milliseconds for call latency; `performance.now` by default. */
  readonly elapsed?: () => number;
}

export class PullCarrier {
  private readonly cache = new Map<string, Entry>();
  private readonly flights = new SingleFlight<Outcome>();
  private readonly budget: CallBudget;
  private readonly breaker: Breaker;
  private readonly map: (reply: unknown) => UpstreamAnswer;
  private readonly stats: PullStats = emptyPullStats();
  private readonly elapsed: () => number;
  /** Told every finished call's latency, seconds (the Prometheus histogram). */
  onLatency: ((seconds: number) => void) | undefined;

  constructor(private readonly deps: PullCarrierDeps) {
    const { settings } = deps;
    this.budget = new CallBudget(
      settings.budget.perWaybill,
      settings.budget.windowMs,
      settings.cache.maxEntries,
    );
    this.breaker = new Breaker(settings.breaker.failures, settings.breaker.openMs);
    const fallback = settings.fallbackStatus;
    const preset = settings.request.preset;
    if (preset === 'kuaidi100') this.map = (r) => mapKuaidi100(r, fallback);
    else if (preset === 'kdniao') this.map = (r) => mapKdniao(r, fallback);
    else {
      if (!settings.mapping) throw new Error('the generic preset needs a response mapping');
      const mapper = compileGenericMapping(settings.mapping);
      this.map = (r) => mapper(r, fallback);
    }
    this.elapsed = deps.elapsed ?? (() => performance.now());
  }

  /** The owner's (full) reply: {@link getTiers}' `full`. */
  getReply(waybill: string): MaybePromise<Reply | undefined> {
    const tiers = this.getTiers(waybill);
    return tiers instanceof Promise ? tiers.then((t) => t?.full) : tiers?.full;
  }

  /** Both tiers of a waybill's reply, or `undefined` for no such waybill upstream. */
  getTiers(waybill: string): MaybePromise<PulledTiers | undefined> {
    const now = this.deps.clock.now();
    const entry = this.cache.get(waybill);
    if (entry) {
      const state = freshness(entry, now, this.deps.settings.cache);
      if (state === 'fresh') {
        this.stats.hits++;
        return entry.tiers;
      }
      if (state === 'stale') {
        this.stats.staleServes++;
        if (shouldRefresh(entry, now, this.deps.settings.cache)) void this.refresh(waybill);
        return entry.tiers;
      }
      this.cache.delete(waybill);
    }
    this.stats.misses++;
    return this.refresh(waybill).then((outcome) => {
      if (!outcome.ok) throw new PullError(outcome.kind);
      return outcome.entry.tiers;
    });
  }

  /** Counters and the breaker's state now. */
  snapshot(): PullCarrierStats {
    return {
      ...this.stats,
      errors: { ...this.stats.errors },
      latencyBuckets: [...this.stats.latencyBuckets],
      cacheEntries: this.cache.size,
      breakerOpens: this.breaker.timesOpened,
      breaker: this.breaker.state(this.deps.clock.now()),
    };
  }

  private refresh(waybill: string): Promise<Outcome> {
    return this.flights.run(waybill, () => this.call(waybill));
  }

  private async call(waybill: string): Promise<Outcome> {
    const { settings, clock, http, carrier } = this.deps;
    const now = clock.now();
    if (this.stats.callsInFlight >= settings.budget.inFlight) return this.failed(waybill, 'saturated');
    if (this.budget.left(waybill, now) <= 0) return this.failed(waybill, 'budget');
    if (!this.breaker.allow(now)) return this.failed(waybill, 'open-circuit');
    this.budget.take(waybill, now);
    this.stats.calls++;
    this.stats.callsInFlight++;
    const started = this.elapsed();
    let answer: UpstreamAnswer | FailureKind;
    try {
      const request = buildUpstreamRequest(settings.request, waybill, carrier.id, now);
      const res = await http.send(request, settings.budget);
      answer = !res.ok ? res.kind : this.read(res.status, res.body);
    } catch {
      answer = 'network';
    } finally {
      this.stats.callsInFlight--;
      const seconds = (this.elapsed() - started) / 1000;
      observeLatency(this.stats, seconds);
      this.onLatency?.(seconds);
    }
    if (typeof answer === 'string') {
      this.breaker.failure(clock.now());
      return this.failed(waybill, answer);
    }
    if (answer.kind === 'refused' || answer.kind === 'garbage') {
      this.breaker.failure(clock.now());
      return this.failed(waybill, answer.kind);
    }
    let entry: Entry;
    try {
      entry = this.store(waybill, answer, clock.now());
    } catch {
      // Nothing an upstream sends may throw out of a background refresh (an unhandled rejection).
      this.breaker.failure(clock.now());
      return this.failed(waybill, 'garbage');
    }
    this.breaker.success();
    return { ok: true, entry };
  }

  private read(status: number, body: Buffer): UpstreamAnswer | FailureKind {
    if (status >= 500) return 'http-5xx';
    // A REST-shaped generic API says "no such waybill" with 404.
    if (status === 404 && this.deps.settings.request.preset === 'generic') return { kind: 'unknown' };
    if (status < 200 || status > 299) return 'http-status';
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      return 'garbage';
    }
    try {
      return this.map(parsed);
    } catch {
      return 'garbage';
    }
  }

  private store(waybill: string, answer: UpstreamAnswer, now: number): Entry {
    let entry: Entry;
    if (answer.kind === 'found') {
      const { carrier } = this.deps;
      const pulled = renderPulled(
        answer,
        {
          timeZone: carrier.timezone,
          traceOrder: carrier.trace?.order,
          address: carrier.trace?.address,
        },
        this.deps.privacyOf?.() ?? carrier.privacy ?? DEFAULT_PRIVACY,
      );
      if (answer.unmapped) this.stats.unmapped++;
      this.stats.droppedTraces += pulled.dropped;
      entry = {
        tiers: { full: pulled.reply, masked: pulled.masked },
        fetchedAt: now,
        signed: pulled.signed,
        unknown: false,
      };
    } else {
      entry = { tiers: undefined, fetchedAt: now, signed: false, unknown: true };
    }
    // Re-inserted at the end: the table forgets the entry fetched longest ago first.
    this.cache.delete(waybill);
    this.cache.set(waybill, entry);
    if (this.cache.size > this.deps.settings.cache.maxEntries) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    return entry;
  }

  private failed(waybill: string, kind: FailureKind): Outcome {
    this.stats.errors[kind]++;
    const entry = this.cache.get(waybill);
    if (entry) entry.failedAt = this.deps.clock.now();
    return { ok: false, kind };
  }
}
