/**
 * @module
 * The backend seam: the one place that turns a configured {@link StoreSpec} or {@link GuardSpec}
 * into a running store or replay guard. Every command (`serve`, `import`, `keys`, `purge`,
 * `pattern lint`, `demo`) opens its backends here, so a database is resolved and opened the same
 * way everywhere, and a new backend is added in one file.
 *
 * The PostgreSQL and Redis drivers are loaded only when configured (dynamic `import()`): a
 * single-node SQLite deployment never loads them.
 */
import { DEFAULT_TRACE_OPTIONS } from '../carrier/carrier.js';
import type { CarrierSource } from '../carrier/carrier-source.js';
import { systemClock, type Clock } from '../clock/clock.js';
import { redactUrl, type GuardSpec, type StoreSpec } from '../config.js';
import { MemoryReplayGuard, type GuardPressure } from '../guard/memory/memory-guard.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import { makeCarrierRenderer, makeRenderer, type Renderer } from '../store/renderer.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { RenderOptions } from '../tracking/render.js';

export interface OpenStoreOptions {
  readonly clock?: Clock;
  /**
   * How replies are rendered. Commands that never render (keys, purge) may leave it out; the
   * gateway and import pass {@link carrierRenderer}.
   */
  readonly renderer?: Renderer;
  /** Open for reading only (pattern lint): no migration, no write. */
  readonly readonly?: boolean;
  /**
   * Make a SQLite database that does not exist yet (`init`, `--create`). Without it a missing
   * file is refused: a typo'd path must not become an empty database that answers 40401 forever.
   * A PostgreSQL database is made by its administrator; the store creates its tables in it.
   */
  readonly create?: boolean;
  /**
   * Told of a backend's background errors (an idle connection that broke); the backend recovers
   * by itself, so this is for the log. Default: ignored.
   */
  readonly onBackendError?: (err: Error) => void;
}

/**
 * A renderer that reads each carrier's zone and trace options from `source` when a waybill is
 * rendered, so a reload applies to replies rendered after it.
 */
export function carrierRenderer(source: CarrierSource): Renderer {
  return makeCarrierRenderer(renderOptionsFrom(source));
}

/** A carrier's reply layout as it is in `source` now (the push worker is sent it per push). */
export function renderOptionsFrom(
  source: CarrierSource,
): (carrier: string) => Omit<RenderOptions, 'overrides'> {
  return (id) => {
    const carriers = source.current();
    const carrier = carriers.find((c) => c.id === id) ?? carriers[0];
    const trace = carrier?.trace ?? DEFAULT_TRACE_OPTIONS;
    return {
      timeZone: carrier?.timezone ?? 'Asia/Shanghai',
      traceOrder: trace.order,
      address: trace.address,
    };
  };
}

/** Opens the configured store; rejects, with the password masked, when it cannot. */
export async function openStore(spec: StoreSpec, options: OpenStoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? systemClock;
  const renderer = options.renderer ?? makeRenderer(() => 'Asia/Shanghai');
  switch (spec.kind) {
    case 'sqlite':
      return new SqliteStore({
        path: spec.path,
        clock,
        renderer,
        create: options.create ?? false,
        ...(options.readonly ? { readonly: true } : {}),
      });
    case 'postgres': {
      const [{ createPostgresPool }, { PostgresStore }] = await Promise.all([
        import('../store/postgres/postgres-pool.js'),
        import('../store/postgres/postgres-store.js'),
      ]);
      const pool = createPostgresPool({ url: spec.url, onError: options.onBackendError });
      try {
        return await PostgresStore.open({ pool, clock, renderer, migrate: !options.readonly });
      } catch (err) {
        throw new Error(
          `cannot open the PostgreSQL store at ${redactUrl(spec.url)}: ${messageOf(err, spec.url)}`,
        );
      }
    }
  }
}

/** An error's message with any copy of `secretText` (a URL with its password) masked. */
function messageOf(err: unknown, secretText: string): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split(secretText).join(redactUrl(secretText));
}

export interface OpenGuardOptions {
  readonly clock?: Clock;
  /** Told of the guard's connection errors (Redis down); checks fail closed meanwhile. */
  readonly onBackendError?: (err: Error) => void;
  /** Told when the memory guard nears or reaches capacity (see memory-guard.ts), to log it. */
  readonly onPressure?: (event: GuardPressure) => void;
  /** The gateway's timestamp window, s: the Redis guard reads a signature's timestamp with it. */
  readonly windowSeconds?: number;
  /** Told when the Redis guard finds that Redis lost its memory (see guard/redis/check-script.ts). */
  readonly onMemoryLoss?: (since: number) => void;
}

/** Opens the configured replay guard. */
export async function openGuard(spec: GuardSpec, options: OpenGuardOptions = {}): Promise<ReplayGuard> {
  const clock = options.clock ?? systemClock;
  switch (spec.kind) {
    case 'memory':
      return new MemoryReplayGuard({
        clock,
        maxEntries: spec.maxEntries,
        ...(options.onPressure ? { onPressure: options.onPressure } : {}),
      });
    case 'redis': {
      const [{ openGuardRedis }, { RedisReplayGuard }] = await Promise.all([
        import('../guard/redis/redis-client.js'),
        import('../guard/redis/redis-guard.js'),
      ]);
      let client;
      try {
        // At start an unreachable Redis stops the gateway loudly; later outages answer 50001.
        client = await openGuardRedis({ url: spec.url, onError: options.onBackendError });
      } catch (err) {
        throw new Error(
          `cannot reach the Redis replay guard at ${redactUrl(spec.url)}: ${messageOf(err, spec.url)}`,
        );
      }
      return new RedisReplayGuard({
        client,
        clock,
        secret: spec.secret,
        ...(options.windowSeconds === undefined ? {} : { windowMs: options.windowSeconds * 1000 }),
        ...(options.onMemoryLoss ? { onMemoryLoss: options.onMemoryLoss } : {}),
      });
    }
  }
}
