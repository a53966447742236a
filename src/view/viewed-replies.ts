/**
 * @module
 * The reply view as a reply source: a {@link ReplySource} in front of another (render on read,
 * reply/render-on-read.ts), whose answers it caches in a {@link ReplyView} kept coherent by the
 * store's change feed. It is only a reply source: writes go to the store's roles, and the one
 * after-write hook ({@link ViewedReplies.catchUp}) brings the view past them.
 *
 * - **Reads.** A hit is a map read of the deflated reply, answered synchronously. A miss asks the
 *   source behind (one indexed range read and a render), deflates the reply, returns it, and adds
 *   it to the view (batched per event-loop turn, and only if the view's position has not moved
 *   since before the read: see reply-view.ts).
 * - **Writes through this process** (push, waybill API) are answered only once the caller's
 *   after-write hook has caught the view up past them, so the next query here sees them.
 * - **Writes by anyone else** (an `import` beside `serve`, another worker, another node on
 *   PostgreSQL, retention) reach the view by polling the change feed every `pollMs` (default
 *   50 ms). Only the waybills a change touched are dropped.
 * - **Proof.** The view's position is a change mark (store id, seq, random tag). At start and on
 *   every catch-up the feed proves it or answers a gap (another database at the same path or URL,
 *   a restore, a rollback, a point-in-time recovery, pruned entries), and the view is reset: it
 *   never serves what it cannot show derives from the store it serves.
 * - **Fail closed.** The view is trusted only while the last catch-up that reached the end of the
 *   feed started less than `staleAfterMs` ago (default 1,000 ms) and did not fail. Otherwise every
 *   query goes to the source behind (slower, never stale), until a catch-up succeeds again. A store
 *   outage still ends in 50001 upstream, never in a reply from an untrusted view.
 */
import type { Clock } from '../clock/clock.js';
import type { MaybePromise, Reply, ReplySource } from '../reply/reply-source.js';
import type { ChangeFeed, ChangeMark, ChangePage, WaybillReader } from '../store/roles.js';
import { decodeOwned, encodeOwned } from '../privacy/owned-entry.js';
import { deflateReply, inflateReply, isIntactReply } from './deflated-reply.js';
import type { ReplyView, ViewEntry } from './reply-view.js';

export interface ViewedRepliesOptions {
  /** Where a miss gets its reply. */
  readonly source: ReplySource;
  /** The store's change feed, which keeps the view coherent. */
  readonly feed: ChangeFeed;
  /** The store's waybills, for {@link ViewedReplies.warm}. */
  readonly waybills: Pick<WaybillReader, 'listWaybills'>;
  readonly view: ReplyView;
  readonly clock: Clock;
  /** How often to read the change feed, ms. Default 50. */
  readonly pollMs?: number;
  /** How long after the last complete catch-up the view is still trusted, ms. Default 1000. */
  readonly staleAfterMs?: number;
  /** Called with an error a background catch-up, fill or warm-up met (the view is then distrusted). */
  readonly onError?: (err: unknown, during: 'catch-up' | 'fill' | 'warm') => void;
  /** Told when the view was reset because the feed could not prove its position. */
  readonly onReset?: (from: ChangeMark, to: ChangeMark) => void;
  /** Starts and clears timers; tests inject one. */
  readonly timer?: ViewTimer;
}

export interface ViewTimer {
  every(ms: number, run: () => void): () => void;
}

const systemTimer: ViewTimer = {
  every(ms, run) {
    const t = setInterval(run, ms);
    t.unref();
    return () => clearInterval(t);
  },
};

/** Changes read per change-feed page. */
const PAGE = 1000;
/** Waybills per warm-up step, between which the event loop serves queries. */
const WARM_STEP = 64;

/**
 * A reply read through the view: the deflated bytes, the owners a stranger's reply is kept with
 * (privacy/owned-entry.ts), and the JSON only when asked for.
 */
class ViewReply implements Reply {
  #json: Buffer | undefined;
  constructor(
    readonly deflated: Buffer,
    readonly owners?: readonly string[],
  ) {}
  get json(): Buffer {
    return (this.#json ??= inflateReply(this.deflated));
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ViewedReplies implements ReplySource {
  readonly #source: ReplySource;
  readonly #feed: ChangeFeed;
  readonly #waybills: Pick<WaybillReader, 'listWaybills'>;
  readonly #view: ReplyView;
  readonly #clock: Clock;
  readonly #pollMs: number;
  readonly #staleAfterMs: number;
  readonly #onError: (err: unknown, during: 'catch-up' | 'fill' | 'warm') => void;
  readonly #onReset: (from: ChangeMark, to: ChangeMark) => void;
  readonly #timer: ViewTimer;
  /** When the last catch-up that reached the end of the feed started; -Infinity: never. */
  #caughtUpAt = -Infinity;
  #failed = false;
  /** The catch-up in flight (or the last one), so catch-ups never overlap. */
  #chain: Promise<void> = Promise.resolve();
  #polling = false;
  #stopPolling: (() => void) | undefined;
  /** Fills waiting for the end of this event-loop turn, with the position they were read at. */
  #pending: { at: ChangeMark; entries: ViewEntry[] }[] = [];
  #flushScheduled = false;
  #closed = false;
  #stats = { hits: 0, misses: 0, distrusted: 0, resets: 0, damaged: 0 };

  constructor(options: ViewedRepliesOptions) {
    this.#source = options.source;
    this.#feed = options.feed;
    this.#waybills = options.waybills;
    this.#view = options.view;
    this.#clock = options.clock;
    this.#pollMs = options.pollMs ?? 50;
    this.#staleAfterMs = options.staleAfterMs ?? 1000;
    this.#onError = options.onError ?? (() => {});
    this.#onReset = options.onReset ?? (() => {});
    this.#timer = options.timer ?? systemTimer;
  }

  /**
   * Catches up (the feed proves the view's position, or the view is reset) and starts following
   * the change feed.
   */
  async start(): Promise<void> {
    try {
      await this.catchUp();
    } finally {
      this.#stopPolling = this.#timer.every(this.#pollMs, () => {
        if (this.#polling || this.#closed) return;
        this.#polling = true;
        void this.catchUp()
          .catch(() => {}) // reported through onError
          .finally(() => (this.#polling = false));
      });
    }
  }

  /** Whether queries read the view now (else they go to the source behind it). */
  trusted(): boolean {
    return !this.#failed && this.#clock.now() - this.#caughtUpAt <= this.#staleAfterMs;
  }

  /**
   * Hits, misses, queries passed on because the view was not trusted, resets, and stored values
   * that failed their check and were rendered again.
   */
  stats(): {
    hits: number;
    misses: number;
    distrusted: number;
    resets: number;
    damaged: number;
    entries: number;
    position: number;
  } {
    return { ...this.#stats, entries: this.#view.size(), position: this.#view.position().seq };
  }

  /**
   * Brings the view up to the end of the change feed: the after-write hook. Runs after any
   * catch-up already in flight, so it covers every write committed before it was called.
   */
  catchUp(): Promise<void> {
    const run = this.#chain.then(() => this.#catchUpNow());
    this.#chain = run.catch(() => {});
    return run;
  }

  async #catchUpNow(): Promise<void> {
    const started = this.#clock.now();
    try {
      for (;;) {
        const after = this.#view.position();
        const page: ChangePage = await this.#feed.changesSince(after, PAGE);
        if (page.gap) {
          // Not provably derived from this store (or changes were pruned before we read them).
          await this.#view.reset(page.next);
          this.#stats.resets++;
          this.#onReset(after, page.next);
          continue;
        }
        if (page.next.seq > after.seq) await this.#view.advance(page.next, page.changes);
        if (page.changes.length < PAGE) break;
        await nextTurn();
      }
      this.#failed = false;
      this.#caughtUpAt = started;
    } catch (err) {
      this.#failed = true;
      this.#onError(err, 'catch-up');
      throw err;
    }
  }

  /**
   * The query path's read: synchronous on a hit. A value that fails its check
   * (deflated-reply.ts: a flipped bit, a torn write) is never served: it is read from the source
   * again, rendered, and replaces the damaged one, like a miss.
   */
  getReply(carrier: string, waybill: string, openid: string): MaybePromise<Reply | undefined> {
    if (this.#closed) throw new Error('reply view is closed');
    if (!this.trusted()) {
      this.#stats.distrusted++;
      return this.#source.getReply(carrier, waybill, openid);
    }
    let hit: Buffer | undefined;
    try {
      hit = this.#view.get(carrier, waybill);
    } catch (err) {
      this.#failed = true;
      this.#onError(err, 'catch-up');
      return this.#source.getReply(carrier, waybill, openid);
    }
    if (hit !== undefined) {
      const { stored, owners } = decodeOwned(hit);
      if (isIntactReply(stored)) {
        this.#stats.hits++;
        return new ViewReply(stored, owners);
      }
      this.#stats.damaged++;
    } else this.#stats.misses++;
    const seenAt = this.#view.position();
    return Promise.resolve(this.#source.getReply(carrier, waybill, openid)).then((reply) => {
      if (reply === undefined) return undefined;
      const deflated = reply.deflated ?? deflateReply(reply.json);
      const owners = reply.owners ?? [];
      this.#queueFill(seenAt, { carrier, waybill, value: encodeOwned(deflated, owners) });
      return new ViewReply(deflated, owners);
    });
  }

  #queueFill(seenAt: ChangeMark, entry: ViewEntry): void {
    const last = this.#pending[this.#pending.length - 1];
    if (last !== undefined && last.at === seenAt) last.entries.push(entry);
    else this.#pending.push({ at: seenAt, entries: [entry] });
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      const pending = this.#pending;
      this.#pending = [];
      if (this.#closed) return;
      for (const { at, entries } of pending) {
        this.#view.fill(at, entries).catch((err: unknown) => this.#onError(err, 'fill'));
      }
    });
  }

  /**
   * Fills the view with every waybill of `carriers` it lacks, a few at a time between queries:
   * a restarted gateway finds it full, a new one fills it once. Resolves with the waybills added.
   */
  async warm(carriers: readonly string[]): Promise<number> {
    try {
      // Walked once already: later misses refill what changes dropped. A reset (a gap, another
      // store) clears the mark. Walking a full view again would cost a start minutes of CPU.
      if (this.#view.isWarm()) return 0;
      const added = await this.#warm(carriers);
      if (!this.#closed) await this.#view.markWarm();
      return added;
    } catch (err) {
      if (this.#closed) return 0; // shut down mid-way: nothing to report
      this.#onError(err, 'warm');
      throw err;
    }
  }

  async #warm(carriers: readonly string[]): Promise<number> {
    let added = 0;
    for (const carrier of carriers) {
      let after: string | undefined;
      for (;;) {
        if (this.#closed) return added;
        const page = await this.#waybills.listWaybills(carrier, {
          ...(after === undefined ? {} : { after }),
          limit: WARM_STEP,
        });
        if (page.length === 0) break;
        after = page[page.length - 1];
        const seenAt = this.#view.position();
        const entries: ViewEntry[] = [];
        for (const waybill of page) {
          if (this.#view.get(carrier, waybill) !== undefined) continue;
          // The full reply: warm-up fills what any reader would be shown (privacy tiers are the
          // source's to choose; an empty openid is no one's).
          const reply = await this.#source.getReply(carrier, waybill, '');
          if (reply !== undefined) {
            const deflated = reply.deflated ?? deflateReply(reply.json);
            entries.push({ carrier, waybill, value: encodeOwned(deflated, reply.owners ?? []) });
          }
        }
        if (entries.length > 0 && (await this.#view.fill(seenAt, entries))) added += entries.length;
        await nextTurn();
      }
    }
    return added;
  }

  /** Stops following the feed and closes the view (not the store, which its opener closes). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopPolling?.();
    await this.#chain;
    await this.#view.close();
  }
}
