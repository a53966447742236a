/**
 * @module
 * A reply cache bounded by bytes, evicting by "second chance" (CLOCK), a close approximation of
 * least-recently-used. Entries sit in a Map in insertion order; a hit only marks its key, and
 * eviction takes the oldest entry unless it is marked, in which case the mark is cleared and the
 * entry goes back to the tail. A true LRU would move the entry on every hit, and that churn of the
 * Map was a measurable share of a cached query's cost.
 */
import type { CacheStats, ReplyCache } from '../reply-cache.js';

export interface MemoryCacheOptions {
  /** Most bytes of replies held; keys and per-entry overhead (about 150 bytes) come on top. */
  readonly maxBytes: number;
}

export class MemoryReplyCache implements ReplyCache {
  readonly #max: number;
  readonly #map = new Map<string, Buffer>();
  readonly #marked = new Set<string>();
  #bytes = 0;
  #hits = 0;
  #misses = 0;
  #evictions = 0;

  constructor(options: MemoryCacheOptions) {
    if (!Number.isFinite(options.maxBytes) || options.maxBytes < 0)
      throw new RangeError('maxBytes must be >= 0');
    this.#max = options.maxBytes;
  }

  get(key: string): Buffer | undefined {
    const value = this.#map.get(key);
    if (value === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#marked.add(key);
    return value;
  }

  set(key: string, value: Buffer): void {
    if (value.length > this.#max) {
      this.delete(key);
      return;
    }
    const old = this.#map.get(key);
    if (old !== undefined) {
      this.#bytes -= old.length;
      this.#map.delete(key);
    }
    this.#map.set(key, value);
    this.#bytes += value.length;
    while (this.#bytes > this.#max) {
      const [k, v] = this.#map.entries().next().value as [string, Buffer];
      this.#map.delete(k);
      if (this.#marked.delete(k) && k !== key) {
        this.#map.set(k, v); // second chance
        continue;
      }
      this.#bytes -= v.length;
      this.#evictions++;
    }
  }

  delete(key: string): void {
    const old = this.#map.get(key);
    if (old === undefined) return;
    this.#map.delete(key);
    this.#marked.delete(key);
    this.#bytes -= old.length;
  }

  clear(): void {
    this.#map.clear();
    this.#marked.clear();
    this.#bytes = 0;
  }

  stats(): CacheStats {
    return {
      entries: this.#map.size,
      bytes: this.#bytes,
      hits: this.#hits,
      misses: this.#misses,
      evictions: this.#evictions,
    };
  }
}
