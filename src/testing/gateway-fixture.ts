/**
 * @module
 * An in-process gateway for tests: the real app over an in-memory SQLite store, a memory replay
 * guard, a manual clock and a logger that records every line.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { compileWaybillPattern, type Carrier } from '../carrier/carrier.js';
import { ManualClock } from '../clock/clock.js';
import { MemoryReplayGuard } from '../guard/memory/memory-guard.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import { buildApp } from '../http/app.js';
import { createLogger } from '../http/logging.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { oneZone, RenderOnRead } from '../reply/render-on-read.js';
import { MemoryReplyView } from '../view/memory/memory-view.js';
import { ViewedReplies } from '../view/viewed-replies.js';
import type { Store } from '../store/store.js';
import type { ScanEvent } from '../tracking/event.js';
import type { LimitsConfig } from '../config/gateway-config.js';
import type { GatewayMetrics } from '../metrics/metrics.js';

export const NOW = Date.UTC(2026, 6, 8, 4, 0, 0);
export const TOKEN = 'fixture-token-1';

export const fixtureCarrier = (over: Partial<Omit<Carrier, 'waybillMatcher'>> = {}): Carrier => {
  const pattern = over.waybillPattern ?? 'YT\\d{13}';
  return {
    id: 'yto',
    name: '圆通',
    tokens: [TOKEN],
    timezone: 'Asia/Shanghai',
    ...over,
    waybillPattern: pattern,
    waybillMatcher: compileWaybillPattern(pattern),
  };
};

export interface GatewayFixture {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly clock: ManualClock;
  /** The reply view in front of render on read, with `view: true`. */
  readonly viewed?: ViewedReplies;
  /** Every log line written, parsed. */
  readonly logs: Record<string, unknown>[];
  /** Raw log text, to search for leaked secrets. */
  logText(): string;
  /** A signed query path (no origin) for `orderid`, stamped with the clock's time. */
  signed(
    orderid: string,
    over?: { openid?: string; nonce?: string; token?: string; companyId?: string; timestamp?: string },
  ): string;
  close(): Promise<void>;
}

let nonceSeq = 1000;

export async function gatewayFixture(
  options: {
    carriers?: Carrier[];
    events?: ScanEvent[];
    guard?: ReplayGuard;
    store?: Store;
    accessLog?: boolean;
    /** Connection and abuse limits; the defaults when left out. */
    limits?: LimitsConfig;
    metrics?: GatewayMetrics;
    /** Put a reply view (in memory) in front of render on read, as `serve` runs it. */
    view?: boolean;
  } = {},
): Promise<GatewayFixture> {
  const clock = new ManualClock(NOW);
  const carriers = options.carriers ?? [fixtureCarrier()];
  const store = options.store ?? new SqliteStore({ path: ':memory:', clock });
  if (options.events) await store.append(carriers[0]!.id, options.events);
  const guard = options.guard ?? new MemoryReplayGuard({ clock, maxEntries: 10_000 });
  const viewed = options.view
    ? new ViewedReplies({
        source: new RenderOnRead(store, oneZone()),
        feed: store,
        waybills: store,
        view: new MemoryReplyView(),
        clock,
        timer: { every: () => () => {} },
      })
    : undefined;
  await viewed?.start();
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      text += chunk.toString();
      done();
    },
  });
  const logger = createLogger('info', sink);
  const app = buildApp({
    config: {
      trackPath: '/wechat/track',
      windowSeconds: 300,
      callbacks: ['WxOrderCb'],
      carriers,
      accessLog: options.accessLog ?? false,
      ...(options.limits ? { limits: options.limits } : {}),
    },
    store,
    ...(viewed ? { replies: viewed, afterWrite: () => viewed.catchUp() } : {}),
    guard,
    clock,
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  await app.ready();
  return {
    app,
    store,
    clock,
    ...(viewed ? { viewed } : {}),
    get logs() {
      return text
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    },
    logText: () => text,
    signed: (orderid, over = {}) =>
      signedQueryUrl({
        url: '/wechat/track',
        token: over.token ?? TOKEN,
        orderid,
        openid: over.openid ?? 'oUser_fixture',
        timestamp: over.timestamp ?? String(Math.floor(clock.now() / 1000)),
        nonce: over.nonce ?? String(nonceSeq++),
        ...(over.companyId === undefined ? {} : { companyId: over.companyId }),
      }),
    close: async () => {
      await app.close();
      await guard.close();
      await viewed?.close();
      await store.close();
    },
  };
}

/** A scan event for tests. */
export const scan = (over: Partial<ScanEvent> & { eventId: string }): ScanEvent => ({
  waybill: 'YT1234567890123',
  time: NOW - 3_600_000,
  status: 2,
  label: '运输中',
  description: '快件离开【河北永清县】已发往【贵阳】',
  location: '河北永清县',
  eta: '2026-07-09',
  cells: [{ key: 'wxpay', value: '已支付', status: 'state=paid' }],
  ...over,
});
