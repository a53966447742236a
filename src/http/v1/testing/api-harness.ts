/**
 * @module
 * Test harness for the `/v1` API: the real app over an in-memory SQLite store, a manual clock and
 * one freshly created API key. Not shipped (tsconfig.build.json leaves testing/ out).
 */
import type { FastifyInstance } from 'fastify';
import { generateApiKey } from '../../../api/api-keys.js';
import type { Carrier } from '../../../carrier/carrier.js';
import { ManualClock } from '../../../clock/clock.js';
import { loadGatewayConfig, type LimitsConfig } from '../../../config/gateway-config.js';
import { MemoryReplayGuard } from '../../../guard/memory/memory-guard.js';
import type { PushIngestor } from '../../../ingest/push/push-ingestor.js';
import { SqliteStore } from '../../../store/sqlite/sqlite-store.js';
import { defaultEventCodes } from '../../../tracking/event-codes.js';
import { buildApp } from '../../app.js';
import { createLogger } from '../../logging.js';

export const WECHAT_TOKEN = 'wechat-token-123';
export const T0 = Date.UTC(2026, 6, 4, 12, 47, 3);

export interface ApiHarness {
  readonly app: FastifyInstance;
  readonly store: SqliteStore;
  readonly clock: ManualClock;
  /** `Bearer <key>` of a key for carrier `default`. */
  readonly auth: string;
  close(): Promise<void>;
}

export async function apiHarness(
  options: {
    bodyLimitBytes?: number;
    path?: string;
    carriers?: readonly Carrier[];
    limits?: LimitsConfig;
    /** Stores pushes; default the app's own (inline, on the calling thread). */
    ingestor?: PushIngestor;
    /** Key of the owners' openid hash (privacy tiers); none: the owners API answers 503. */
    ownerKey?: string;
  } = {},
): Promise<ApiHarness> {
  const loaded = loadGatewayConfig({ token: WECHAT_TOKEN }, {});
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  const config = {
    ...loaded.config,
    ...(options.carriers ? { carriers: options.carriers } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.ownerKey ? { ownerKey: options.ownerKey } : {}),
  };
  const clock = new ManualClock(T0 + 3_600_000);
  const store = new SqliteStore({
    path: options.path ?? ':memory:',
    create: true,
    clock,
  });
  const guard = new MemoryReplayGuard({ clock, maxEntries: 1000 });
  const app = buildApp({
    config,
    store,
    guard,
    clock,
    logger: createLogger('silent'),
    ...(options.ingestor ? { ingestor: options.ingestor } : {}),
    ingest: { bodyLimitBytes: options.bodyLimitBytes ?? 10 * 1024 * 1024, eventCodes: defaultEventCodes() },
  });
  const { key, record } = generateApiKey('test', 'default', clock.now());
  await store.addApiKey(record);
  return {
    app,
    store,
    clock,
    auth: `Bearer ${key}`,
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** A valid wire event, with overrides. */
export const wireEvent = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  waybill: 'YT1234567890123',
  event_id: 'e1',
  time: '2026-07-04T20:47:03+08:00',
  status: 2,
  description: '快件离开【河北永清县】已发往【贵阳】',
  location: '河北永清县',
  ...over,
});
