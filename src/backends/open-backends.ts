/**
 * @module
 * The backend seam: the one place that turns a configured {@link StoreSpec} or {@link GuardSpec}
 * into a running store or replay guard, and that opens the reply view in front of a store
 * ({@link openReplies}). Every command (`serve`, `import`, `keys`, `purge`, `pattern lint`,
 * `demo`) opens its backends here, so a database is resolved and opened the same way everywhere,
 * and a new backend is added in one file.
 *
 * The PostgreSQL and Redis drivers are loaded only when configured (dynamic `import()`): a
 * single-node SQLite deployment never loads them.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { systemClock, type Clock } from '../clock/clock.js';
import { redactUrl } from '../config/settings.js';
import { type StoreSpec } from '../config/store-settings.js';
import { type GatewayConfig, type GuardSpec } from '../config/gateway-config.js';
import { MemoryReplayGuard, type GuardPressure } from '../guard/memory/memory-guard.js';
import type { ReplayGuard } from '../guard/replay-guard.js';
import { RenderOnRead, type RenderOptionsOf } from '../reply/render-on-read.js';
import type { ReplySource } from '../reply/reply-source.js';
import type { ChangeFeed, OwnerBindings, WaybillReader } from '../store/roles.js';
import { MaskedReplies } from '../privacy/masked-replies.js';
import type { PrivacyRules } from '../privacy/privacy-rules.js';
import { storeTiers } from '../privacy/store-tiers.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { LmdbReplyView, type ViewDamage } from '../view/lmdb/lmdb-view.js';
import { MemoryReplyView } from '../view/memory/memory-view.js';
import type { ReplyView } from '../view/reply-view.js';
import { ViewedReplies, type ViewedRepliesOptions } from '../view/viewed-replies.js';

export { renderOptionsFrom } from '../reply/render-on-read.js';

export interface OpenStoreOptions {
  readonly clock?: Clock;
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
  /**
   * A load that can be run again (`import`): PostgreSQL commits without waiting for the WAL
   * flush (`synchronous_commit = off`), so a crash may lose the last batches, which a re-run
   * stores again. Never for a push, whose answer tells the sender its events are kept.
   */
  readonly rerunnable?: boolean;
}

/** Opens the configured store; rejects, with the password masked, when it cannot. */
export async function openStore(spec: StoreSpec, options: OpenStoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? systemClock;
  switch (spec.kind) {
    case 'sqlite':
      return new SqliteStore({
        path: spec.path,
        clock,
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
        return await PostgresStore.open({
          pool,
          clock,
          migrate: !options.readonly,
          ...(options.rerunnable ? { synchronousCommit: false } : {}),
        });
      } catch (err) {
        throw new Error(
          `cannot open the PostgreSQL store at ${redactUrl(spec.url)}: ${messageOf(err, spec.url)}`,
        );
      }
    }
  }
}

/**
 * Where the reply view of a store lives (`--view`, or beside the database), or `undefined` for
 * `--view off`. A store handed in (tests, embedding) or an in-memory database gets a private
 * in-memory view: no file is known to belong to it.
 */
export function replyViewOf(
  config: Pick<GatewayConfig, 'store' | 'view'>,
  injectedStore: boolean,
  onDamaged?: (damage: ViewDamage) => void,
): { view: ReplyView; path?: string } | undefined {
  if (config.view === 'off') return undefined;
  const spec = config.store;
  if (config.view === undefined && (injectedStore || (spec.kind === 'sqlite' && spec.path === ':memory:'))) {
    return { view: new MemoryReplyView() };
  }
  // The file name never carries a password: user info is dropped from a URL. Which store a view
  // derives from is proven by the change feed's marks, not by the name.
  const source =
    spec.kind === 'postgres' ? 'url:' + spec.url.replace(/\/\/[^@/]*@/, '//') : 'file:' + resolve(spec.path);
  const path =
    config.view ??
    (spec.kind === 'postgres'
      ? `./data/wxtrack-view-${createHash('sha256').update(source).digest('hex').slice(0, 12)}.mdb`
      : spec.path + '-view.mdb');
  mkdirSync(dirname(path), { recursive: true });
  return { view: new LmdbReplyView({ path, ...(onDamaged ? { onDamaged } : {}) }), path };
}

/** The query path's replies, and the hook every write through this process calls before it is answered. */
export interface OpenedReplies {
  readonly replies: ReplySource;
  /** Renders a waybill state read from the store (the waybill API shows it). */
  readonly render: RenderOnRead;
  /**
   * The one after-write hook (push ingestors, the waybill API): resolves once the view is past
   * every write committed before the call, so the writer's next query sees it. Never rejects: a
   * view that cannot catch up is distrusted and queries render on read.
   */
  afterWrite(): Promise<void>;
  /** The view, when there is one (`--view off`: none; every query renders). */
  readonly viewed?: ViewedReplies;
  /** The view's file, when it has one. */
  readonly viewPath?: string;
  /** Stops following the feed and closes the view; the store stays open. */
  close(): Promise<void>;
}

export interface OpenRepliesOptions extends Pick<
  ViewedRepliesOptions,
  'onError' | 'onReset' | 'pollMs' | 'staleAfterMs' | 'timer'
> {
  readonly clock?: Clock;
  /** The carriers' reply layouts, read per render. */
  readonly renderOptionsOf: RenderOptionsOf;
  /** The store was handed in (not opened from `config.store`): its view is private, in memory. */
  readonly injectedStore?: boolean;
  /** Told when the view's file was found damaged or foreign at open and moved aside (lmdb-view.ts). */
  readonly onViewDamaged?: (damage: ViewDamage) => void;
  /** The carriers' privacy rules, read per render (privacy tiers). */
  readonly privacyOf: (carrier: string) => PrivacyRules;
  /** Key of the owners' openid hash; absent: every reader gets the masked reply. */
  readonly ownerKey: string | undefined;
}

/**
 * Opens the reply source the query path reads: the reply view (view/) in front of render on read,
 * or render on read alone with `--view off`. The view is caught up before this resolves (a view it
 * cannot prove derives from this store is reset); a failed catch-up is reported through
 * `onError` and leaves the view distrusted until one succeeds.
 */
export async function openReplies(
  config: Pick<GatewayConfig, 'store' | 'view'>,
  store: WaybillReader & ChangeFeed & Pick<OwnerBindings, 'ownersOf'>,
  options: OpenRepliesOptions,
): Promise<OpenedReplies> {
  // The owner's full reply: rendered on read, never cached in the view, which every reader shares.
  const render = new RenderOnRead(store, options.renderOptionsOf);
  // The stranger's reply with the owners: what the view caches.
  const masked = new MaskedReplies(store, store, options.renderOptionsOf, options.privacyOf);
  const tiers = (front: ReplySource) =>
    storeTiers({ masked: front, full: render, rulesOf: options.privacyOf, ownerKey: options.ownerKey });
  const at = replyViewOf(config, options.injectedStore ?? false, options.onViewDamaged);
  if (at === undefined) {
    return {
      replies: tiers(masked),
      render,
      afterWrite: () => Promise.resolve(),
      close: () => Promise.resolve(),
    };
  }
  const viewed = new ViewedReplies({
    source: masked,
    feed: store,
    waybills: store,
    view: at.view,
    clock: options.clock ?? systemClock,
    ...(options.onError ? { onError: options.onError } : {}),
    ...(options.onReset ? { onReset: options.onReset } : {}),
    ...(options.pollMs !== undefined ? { pollMs: options.pollMs } : {}),
    ...(options.staleAfterMs !== undefined ? { staleAfterMs: options.staleAfterMs } : {}),
    ...(options.timer ? { timer: options.timer } : {}),
  });
  // Not fatal: queries render on read until a catch-up succeeds (reported through onError).
  await viewed.start().catch(() => {});
  return {
    replies: tiers(viewed),
    render,
    afterWrite: () => viewed.catchUp().catch(() => {}),
    viewed,
    ...(at.path !== undefined ? { viewPath: at.path } : {}),
    close: () => viewed.close(),
  };
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
