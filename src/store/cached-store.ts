/**
 * @module
 * A Store with a reply cache in front of its query path. Reads go to the cache first; every write
 * made through this object invalidates the waybills it touches; writes made by anyone else (an
 * `import` run against the same database, another gateway process) are noticed through the
 * store's change counter, checked at most every `recheckMs`, and clear the whole cache.
 *
 * So a reply is never staler than `recheckMs` after another process commits, and never stale at
 * all after a write through this gateway.
 */
import { replyKey, type ReplyCache } from '../cache/reply-cache.js';
import type { Clock } from '../clock/clock.js';
import type { ScanEvent } from '../tracking/event.js';
import type {
  ApiKeyRecord,
  IngestOutcome,
  Removed,
  Store,
  StoredReply,
  WaybillAttributesPatch,
  WaybillPage,
  WaybillRecord,
} from './store.js';

export interface CachedStoreOptions {
  readonly store: Store;
  readonly cache: ReplyCache;
  readonly clock: Clock;
  /** How often, at most, to ask the store whether someone else wrote. Default 50 ms. */
  readonly recheckMs?: number;
}

export class CachedStore implements Store {
  readonly #inner: Store;
  readonly #cache: ReplyCache;
  readonly #clock: Clock;
  readonly #recheckMs: number;
  #version: number;
  #checkedAt: number;
  // Bumped by every invalidation: a read that started before one must not fill the cache after it.
  #generation = 0;
  #closed = false;

  constructor(options: CachedStoreOptions) {
    this.#inner = options.store;
    this.#cache = options.cache;
    this.#clock = options.clock;
    this.#recheckMs = options.recheckMs ?? 50;
    this.#version = this.#inner.changeCounter();
    this.#checkedAt = this.#clock.now();
  }

  /** The cache's counters, for metrics. */
  get cache(): ReplyCache {
    return this.#cache;
  }

  #revalidate(): void {
    const now = this.#clock.now();
    if (now - this.#checkedAt < this.#recheckMs) return;
    this.#checkedAt = now;
    const version = this.#inner.changeCounter();
    if (version !== this.#version) {
      this.#version = version;
      this.#generation++;
      this.#cache.clear();
    }
  }

  #invalidate(carrier: string, waybills: Iterable<string>): void {
    this.#generation++;
    for (const w of waybills) this.#cache.delete(replyKey(carrier, w));
  }

  /**
   * Forgets the cached replies of these waybills: a writer that shares this gateway but not this
   * object (the push worker's own connection) changed them.
   */
  forget(carrier: string, waybills: Iterable<string>): void {
    this.#invalidate(carrier, waybills);
  }

  getReply(carrier: string, waybill: string): Promise<StoredReply | undefined> {
    if (this.#closed) return Promise.reject(new Error('store is closed'));
    try {
      this.#revalidate();
    } catch (err) {
      return Promise.reject(err);
    }
    const key = replyKey(carrier, waybill);
    const hit = this.#cache.get(key);
    if (hit !== undefined) return Promise.resolve({ json: hit });
    const generation = this.#generation;
    return this.#inner.getReply(carrier, waybill).then((reply) => {
      if (reply !== undefined && generation === this.#generation) this.#cache.set(key, reply.json);
      return reply;
    });
  }

  async ingest(carrier: string, events: readonly ScanEvent[]): Promise<IngestOutcome[]> {
    try {
      return await this.#inner.ingest(carrier, events);
    } finally {
      this.#invalidate(
        carrier,
        events.map((e) => e.waybill),
      );
    }
  }

  async setWaybillAttributes(
    carrier: string,
    waybill: string,
    patch: WaybillAttributesPatch,
  ): Promise<WaybillRecord> {
    try {
      return await this.#inner.setWaybillAttributes(carrier, waybill, patch);
    } finally {
      this.#invalidate(carrier, [waybill]);
    }
  }

  async deleteWaybill(carrier: string, waybill: string): Promise<Removed | undefined> {
    try {
      return await this.#inner.deleteWaybill(carrier, waybill);
    } finally {
      this.#invalidate(carrier, [waybill]);
    }
  }

  async purgeOlderThan(cutoff: number): Promise<Removed> {
    try {
      return await this.#inner.purgeOlderThan(cutoff);
    } finally {
      // Which waybills went is not returned: start over rather than serve an erased one.
      this.#generation++;
      this.#cache.clear();
    }
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

  ping(): Promise<void> {
    return this.#inner.ping();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#cache.clear();
    await this.#inner.close();
  }
}
