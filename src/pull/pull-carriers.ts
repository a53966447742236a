/**
 * @module
 * The pull-mode carriers of one gateway, built from the configured carriers: one
 * {@link PullCarrier} per carrier with an `upstream`, one bounded HTTP client shared by them
 * (its sockets capped at the sum of their in-flight budgets), and their stats for the metrics.
 * Upstream settings are read at start: a reload (SIGHUP) does not change them. Privacy rules are
 * read from `privacyOf` per fetch (the masking) and per query (whether the carrier masks at all).
 */
import type { Carrier } from '../carrier/carrier.js';
import type { Clock } from '../clock/clock.js';
import type { PulledTierOptions } from '../privacy/pulled-tiers.js';
import { DEFAULT_PRIVACY, type PrivacyRules } from '../privacy/privacy-rules.js';
import type { ReplySource } from '../reply/reply-source.js';
import { createUpstreamHttp, type UpstreamHttp } from './http-client.js';
import { PullCarrier } from './pull-carrier.js';
import type { PullCarrierStats } from './pull-metrics.js';
import { routeReplies } from './pull-reply-source.js';

export interface PullCarriers {
  /** Carrier id to its pull source; empty when no carrier pulls. */
  readonly byCarrier: ReadonlyMap<string, PullCarrier>;
  /**
   * The gateway's reply source: pull carriers to their upstream, in each reader's privacy tier
   * (owners from `tiers.owners`), the rest to `store`.
   */
  route(store: ReplySource, tiers: Omit<PulledTierOptions, 'masks'>): ReplySource;
  stats(): ReadonlyMap<string, PullCarrierStats>;
  /** Tells `listener` each finished call's carrier and latency. */
  onLatency(listener: (carrier: string, seconds: number) => void): void;
  close(): void;
}

export function openPullCarriers(
  carriers: readonly Carrier[],
  deps: {
    readonly clock: Clock;
    readonly http?: UpstreamHttp;
    /** The carriers' privacy rules in force; each carrier's configured rules when left out. */
    readonly privacyOf?: (carrier: string) => PrivacyRules;
  },
): PullCarriers {
  const privacyOf =
    deps.privacyOf ?? ((id: string) => carriers.find((c) => c.id === id)?.privacy ?? DEFAULT_PRIVACY);
  const pulling = carriers.filter((c) => c.upstream !== undefined);
  const sockets = pulling.reduce((n, c) => n + c.upstream!.budget.inFlight, 0);
  const http = deps.http ?? (pulling.length > 0 ? createUpstreamHttp(Math.max(1, sockets)) : undefined);
  const byCarrier = new Map(
    pulling.map((c) => [
      c.id,
      new PullCarrier({
        carrier: c,
        settings: c.upstream!,
        clock: deps.clock,
        http: http!,
        privacyOf: () => privacyOf(c.id),
      }),
    ]),
  );
  return {
    byCarrier,
    route: (store, tiers) =>
      routeReplies(byCarrier, store, { ...tiers, masks: (carrier) => privacyOf(carrier).mask }),
    onLatency(listener) {
      for (const [id, pc] of byCarrier) pc.onLatency = (seconds) => listener(id, seconds);
    },
    stats: () => new Map([...byCarrier].map(([id, pc]) => [id, pc.snapshot()])),
    close: () => http?.close(),
  };
}
