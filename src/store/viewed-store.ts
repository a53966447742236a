/**
 * @module
 * A Store whose query path reads a reply view (view/reply-view.ts) kept coherent with the store's
 * change log; every other call goes to the store itself.
 *
 * - **Reads.** A hit is a map read of the deflated reply. A miss reads the store, deflates the
 *   reply, returns it, and adds it to the view (batched per event-loop turn, and only if the view's
 *   position has not moved since before the read: see reply-view.ts).
 * - **Writes through this object** (push, waybill API, erasure, purge) return only once the view
 *   has caught up with the change log past them, so the next query on this process sees them.
 * - **Writes by anyone else** (an `import` beside `serve`, another worker, another node on
 *   PostgreSQL) reach the view by polling the change log every `pollMs` (default 50 ms). Only the
 *   waybills a change touched are dropped; a `gap` (changes pruned before we read them), or a view
 *   derived from another store, drops everything.
 * - **Fail closed.** The view is trusted only while the last catch-up that reached the end of the
 *   log started less than `staleAfterMs` ago (default 1,000 ms) and did not fail. Otherwise every
 *   query reads the store (slower, never stale), until a catch-up succeeds again. A store outage
 *   still ends in 50001 upstream, never in a reply from an untrusted view.
 *
 * This replaces an earlier in-process reply cache that emptied itself whenever another process
 * wrote: with an `import` running or a second node, it was empty most of the time. An in-process
 * Map in front of the view would save about 0.3 µs per query and cost a copy of every reply per
 * worker, with its own coherence to keep: it does not earn its place.
 */
import type { Clock } from '../clock/clock.js';
import type { ScanEvent } from '../tracking/event.js';
import { deflateReply, inflateReply, isIntactReply, REPLY_LAYOUT } from '../view/deflated-reply.js';
import type { ReplyView, ViewEntry } from '../view/reply-view.js';
import type {
  ApiKeyRecord,
  ChangePage,
  IngestOutcome,
  Removed,
  Store,
  StoredReply,
  WaybillAttributesPatch,
  WaybillPage,
  WaybillRecord,
} from './store.js';

export interface ViewedStoreOptions {
  readonly store: Store;
  readonly view: ReplyView;
  readonly clock: Clock;
  /** Names the store the view derives from (its path or redacted URL); another name resets the view. */
  readonly source: string;
  /** How often to read the change log, ms. Default 50. */
  readonly pollMs?: number;
  /** How long after the last complete catch-up the view is still trusted, ms. Default 1000. */
  readonly staleAfterMs?: number;
  /** Called with an error a background catch-up, fill or warm-up met (the view is then distrusted). */
  readonly onError?: (err: unknown, during: 'catch-up' | 'fill' | 'warm') => void;
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

/** Changes read per change-log page. */
const PAGE = 1000;
/** Waybills per warm-up step, between which the event loop serves queries. */
const WARM_STEP = 64;

/** A reply read through the view: the deflated bytes, and the JSON only when asked for. */
class ViewReply implements StoredReply {
  #json: Buffer | undefined;
  constructor(readonly deflated: Buffer) {}
  get json(): Buffer {
    return (this.#json ??= inflateReply(this.deflated));
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export class ViewedStore implements Store {
  readonly #inner: Store;
  readonly #view: ReplyView;
  readonly #clock: Clock;
  readonly #source: string;
  readonly #pollMs: number;
  readonly #staleAfterMs: number;
  readonly #onError: (err: unknown, during: 'catch-up' | 'fill' | 'warm') => void;
  readonly #timer: ViewTimer;
  /** When the last catch-up that reached the end of the log started; -Infinity: never. */
  #caughtUpAt = -Infinity;
  #failed = false;
  /** The catch-up in flight (or the last one), so catch-ups never overlap. */
  #chain: Promise<void> = Promise.resolve();
  #polling = false;
  #stopPolling: (() => void) | undefined;
  /** Fills waiting for the end of this event-loop turn, by the position they were read at. */
  #pending = new Map<number, ViewEntry[]>();
  #flushScheduled = false;
  #closed = false;
  #stats = { hits: 0, misses: 0, distrusted: 0, damaged: 0 };

  constructor(options: ViewedStoreOptions) {
    this.#inner = options.store;
    this.#view = options.view;
    this.#clock = options.clock;
    // The stored layout is part of the view's identity: a view written in another one is reset
    // and filled again at start, not rendered again one failed check at a time.
    this.#source = `${options.source}#reply-layout-${REPLY_LAYOUT}`;
    this.#pollMs = options.pollMs ?? 50;
    this.#staleAfterMs = options.staleAfterMs ?? 1000;
    this.#onError = options.onError ?? (() => {});
    this.#timer = options.timer ?? systemTimer;
  }

  /**
   * Checks the view belongs to this store and is not ahead of it (a restored or replaced
   * database), resets it otherwise, catches up, and starts following the change log.
   */
  async start(): Promise<void> {
    const last = await this.#inner.lastChange();
    if (this.#view.source() !== this.#source || this.#view.position() > last) {
      await this.#view.reset(last, this.#source);
    }
    await this.catchUp();
    this.#stopPolling = this.#timer.every(this.#pollMs, () => {
      if (this.#polling || this.#closed) return;
      this.#polling = true;
      void this.catchUp()
        .catch(() => {}) // reported through onError
        .finally(() => (this.#polling = false));
    });
  }

  /** Whether queries read the view now (else they read the store). */
  trusted(): boolean {
    return !this.#failed && this.#clock.now() - this.#caughtUpAt <= this.#staleAfterMs;
  }

  /**
   * Hits, misses, queries served from the store because the view was not trusted, and values
   * that failed their check and were rendered again.
   */
  stats(): {
    hits: number;
    misses: number;
    distrusted: number;
    damaged: number;
    entries: number;
    position: number;
  } {
    return { ...this.#stats, entries: this.#view.size(), position: this.#view.position() };
  }

  /**
   * Brings the view up to the end of the change log. Runs after any catch-up already in flight,
   * so it covers every write committed before it was called.
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
        const page: ChangePage = await this.#inner.changesSince(after, PAGE);
        if (page.gap) {
          await this.#view.reset(await this.#inner.lastChange(), this.#source);
          continue;
        }
        if (page.next > after) await this.#view.advance(page.next, page.changes);
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

  /** The query path's read, as a promise (the Store interface). */
  getReply(carrier: string, waybill: string): Promise<StoredReply | undefined> {
    try {
      return Promise.resolve(this.readReply(carrier, waybill));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * The query path's read: a hit is answered at once (no promise), a miss or a distrusted view
   * reads the store. A value that fails its check (view/deflated-reply.ts) is not served: it is
   * read from the store, rendered again, and replaces the damaged one.
   */
  readReply(carrier: string, waybill: string): StoredReply | undefined | Promise<StoredReply | undefined> {
    if (this.#closed) throw new Error('store is closed');
    if (!this.trusted()) {
      this.#stats.distrusted++;
      return this.#inner.getReply(carrier, waybill);
    }
    let hit: Buffer | undefined;
    try {
      hit = this.#view.get(carrier, waybill);
    } catch (err) {
      this.#failed = true;
      this.#onError(err, 'catch-up');
      return this.#inner.getReply(carrier, waybill);
    }
    if (hit !== undefined) {
      if (isIntactReply(hit)) {
        this.#stats.hits++;
        return new ViewReply(hit);
      }
      this.#stats.damaged++;
    } else this.#stats.misses++;
    const seenAt = this.#view.position();
    return this.#inner.getReply(carrier, waybill).then((reply) => {
      if (reply === undefined) return undefined;
      const deflated = deflateReply(reply.json);
      this.#queueFill(seenAt, { carrier, waybill, value: deflated });
      return new ViewReply(deflated);
    });
  }

  #queueFill(seenAt: number, entry: ViewEntry): void {
    const list = this.#pending.get(seenAt);
    if (list) list.push(entry);
    else this.#pending.set(seenAt, [entry]);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      const pending = this.#pending;
      this.#pending = new Map();
      if (this.#closed) return;
      for (const [at, entries] of pending) {
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
        const page = await this.#inner.listWaybills(carrier, {
          ...(after === undefined ? {} : { after }),
          limit: WARM_STEP,
        });
        if (page.length === 0) break;
        after = page[page.length - 1];
        const seenAt = this.#view.position();
        const entries: ViewEntry[] = [];
        for (const waybill of page) {
          if (this.#view.get(carrier, waybill) !== undefined) continue;
          const reply = await this.#inner.getReply(carrier, waybill);
          if (reply !== undefined) entries.push({ carrier, waybill, value: deflateReply(reply.json) });
        }
        if (entries.length > 0 && (await this.#view.fill(seenAt, entries))) added += entries.length;
        await nextTurn();
      }
    }
    return added;
  }

  async #thenCatchUp<T>(write: Promise<T>): Promise<T> {
    try {
      return await write;
    } finally {
      // The caller's next query must see its write: wait until the view is past it. A failure
      // leaves the view distrusted (queries then read the store), not the write undone.
      await this.catchUp().catch(() => {});
    }
  }

  ingest(carrier: string, events: readonly ScanEvent[]): Promise<IngestOutcome[]> {
    return this.#thenCatchUp(this.#inner.ingest(carrier, events));
  }

  setWaybillAttributes(
    carrier: string,
    waybill: string,
    patch: WaybillAttributesPatch,
  ): Promise<WaybillRecord> {
    return this.#thenCatchUp(this.#inner.setWaybillAttributes(carrier, waybill, patch));
  }

  deleteWaybill(carrier: string, waybill: string): Promise<Removed | undefined> {
    return this.#thenCatchUp(this.#inner.deleteWaybill(carrier, waybill));
  }

  purgeOlderThan(cutoff: number): Promise<Removed> {
    return this.#thenCatchUp(this.#inner.purgeOlderThan(cutoff));
  }

  countOlderThan(cutoff: number): Promise<Removed> {
    return this.#inner.countOlderThan(cutoff);
  }

  addApiKey(key: ApiKeyRecord): Promise<'created' | 'name-taken'> {
    return this.#inner.addApiKey(key);
  }

  findApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.#inner.findApiKey(id);
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.#inner.listApiKeys();
  }

  revokeApiKey(name: string, at: number): Promise<boolean> {
    return this.#inner.revokeApiKey(name, at);
  }

  getWaybill(carrier: string, waybill: string): Promise<WaybillRecord | undefined> {
    return this.#inner.getWaybill(carrier, waybill);
  }

  listWaybills(carrier: string, page: WaybillPage): Promise<string[]> {
    return this.#inner.listWaybills(carrier, page);
  }

  changeCounter(): number {
    return this.#inner.changeCounter();
  }

  changesSince(after: number, limit: number): Promise<ChangePage> {
    return this.#inner.changesSince(after, limit);
  }

  lastChange(): Promise<number> {
    return this.#inner.lastChange();
  }

  ping(): Promise<void> {
    return this.#inner.ping();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopPolling?.();
    await this.#chain;
    await this.#view.close();
    await this.#inner.close();
  }
}
