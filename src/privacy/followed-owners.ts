/**
 * @module
 * The owners of the waybills pull mode serves (pull/), cached on the node and kept coherent by the
 * store's change feed, so that a stranger's pulled query costs no store lookup on a hit.
 *
 * Why not the reply view, which already keeps owners beside a stranger's reply in store mode: a
 * pulled reply is not derived from the store, so no change ever drops it, and a view holding every
 * pulled waybill would grow without bound. This is a bounded map of owners alone (an empty list,
 * shared, for the waybills nobody owns: nearly all), with the view's proof and trust rules:
 *
 * - a miss reads the store ({@link OwnersReader.ownersOf}, one indexed read) and keeps the answer
 *   only if the cache's change mark did not move during the read (a binding committed meanwhile
 *   must not be overwritten by the list read before it);
 * - binding and unbinding append a change-feed entry (store/roles.ts OwnerBindings): every node
 *   polls the feed every `pollMs` (default 50 ms) and drops the waybills it touched; a gap (another
 *   store, a restore, pruned entries) drops everything;
 * - trusted only while the last complete catch-up started less than `staleAfterMs` ago (default
 *   1,000 ms); otherwise every lookup reads the store, never a list that may predate an unbinding;
 * - bounded: past `maxEntries` the waybill looked up longest ago is forgotten (and read again).
 *
 * The after-write hook of the owners API calls {@link FollowedOwners.catchUp}, so a reader bound
 * through this node sees the full reply on the very next query.
 */
import type { Clock } from '../clock/clock.js';
import type { MaybePromise } from '../reply/reply-source.js';
import type { ChangeFeed, ChangeMark } from '../store/roles.js';
import { NO_MARK, sameMark } from '../store/sql/change-feed.js';
import type { OwnersReader } from './masked-replies.js';

/** Where a tier choice reads a waybill's owners (openid hashes); synchronous on a hit. */
export interface OwnersLookup {
  ownersOf(carrier: string, waybill: string): MaybePromise<readonly string[]>;
}

export interface FollowedOwnersOptions {
  readonly owners: OwnersReader;
  readonly feed: ChangeFeed;
  readonly clock: Clock;
  /** Waybills kept; default 200,000 (pull mode's default cache size per carrier). */
  readonly maxEntries?: number;
  /** How often the feed is read, ms; default 50. */
  readonly pollMs?: number;
  /** How long after the last complete catch-up the cache is trusted, ms; default 1,000. */
  readonly staleAfterMs?: number;
  /** Told of a failed catch-up (the cache is then distrusted until one succeeds). */
  readonly onError?: (err: unknown) => void;
  /** Starts and clears the poll timer; tests inject one. */
  readonly timer?: { every(ms: number, run: () => void): () => void };
}

const PAGE = 1000;
const NONE: readonly string[] = Object.freeze([]);
const keyOf = (carrier: string, waybill: string) => carrier + '\0' + waybill;

const systemTimer = {
  every(ms: number, run: () => void): () => void {
    const t = setInterval(run, ms);
    t.unref();
    return () => clearInterval(t);
  },
};

export class FollowedOwners implements OwnersLookup {
  readonly #o: FollowedOwnersOptions;
  readonly #max: number;
  readonly #cache = new Map<string, readonly string[]>();
  #position: ChangeMark = NO_MARK;
  #caughtUpAt = -Infinity;
  #failed = false;
  #chain: Promise<void> = Promise.resolve();
  #polling = false;
  #stop: (() => void) | undefined;
  #closed = false;
  #stats = { hits: 0, misses: 0, distrusted: 0, resets: 0 };

  constructor(options: FollowedOwnersOptions) {
    this.#o = options;
    this.#max = options.maxEntries ?? 200_000;
  }

  /** Catches up with the feed, then follows it. */
  async start(): Promise<void> {
    try {
      await this.catchUp();
    } finally {
      this.#stop = (this.#o.timer ?? systemTimer).every(this.#o.pollMs ?? 50, () => {
        if (this.#polling || this.#closed) return;
        this.#polling = true;
        void this.catchUp()
          .catch(() => {})
          .finally(() => (this.#polling = false));
      });
    }
  }

  trusted(): boolean {
    return !this.#failed && this.#o.clock.now() - this.#caughtUpAt <= (this.#o.staleAfterMs ?? 1000);
  }

  stats(): { hits: number; misses: number; distrusted: number; resets: number; entries: number } {
    return { ...this.#stats, entries: this.#cache.size };
  }

  ownersOf(carrier: string, waybill: string): MaybePromise<readonly string[]> {
    if (this.#closed) throw new Error('owners cache is closed');
    if (!this.trusted()) {
      this.#stats.distrusted++;
      return this.#o.owners.ownersOf(carrier, waybill);
    }
    const key = keyOf(carrier, waybill);
    const hit = this.#cache.get(key);
    if (hit !== undefined) {
      this.#stats.hits++;
      return hit;
    }
    this.#stats.misses++;
    const seenAt = this.#position;
    return this.#o.owners.ownersOf(carrier, waybill).then((owners) => {
      const kept = owners.length === 0 ? NONE : Object.freeze([...owners]);
      if (!this.#closed && sameMark(this.#position, seenAt)) {
        this.#cache.set(key, kept);
        if (this.#cache.size > this.#max) {
          const oldest = this.#cache.keys().next();
          if (!oldest.done) this.#cache.delete(oldest.value);
        }
      }
      return kept;
    });
  }

  /** Brings the cache past every change committed before the call (the after-write hook). */
  catchUp(): Promise<void> {
    const run = this.#chain.then(() => this.#catchUpNow());
    this.#chain = run.catch(() => {});
    return run;
  }

  async #catchUpNow(): Promise<void> {
    const started = this.#o.clock.now();
    try {
      for (;;) {
        const page = await this.#o.feed.changesSince(this.#position, PAGE);
        if (page.gap) {
          this.#cache.clear();
          this.#position = page.next;
          this.#stats.resets++;
          continue;
        }
        for (const c of page.changes) this.#cache.delete(keyOf(c.carrier, c.waybill));
        this.#position = page.next;
        if (page.changes.length < PAGE) break;
      }
      this.#failed = false;
      this.#caughtUpAt = started;
    } catch (err) {
      this.#failed = true;
      this.#o.onError?.(err);
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stop?.();
    await this.#chain;
    this.#cache.clear();
  }
}
