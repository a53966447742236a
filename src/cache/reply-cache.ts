/**
 * @module
 * The reply cache: rendered replies kept in process memory, in front of the store.
 *
 * A query's fixed HTTP cost is about 14 µs of CPU on our reference machine; a SQLite read of one
 * 1.4 KB reply among millions adds 8–12 µs, a Map lookup well under 1 µs. The cache is what lets a
 * gateway answer at close to the speed of Node itself (see bench/README.md).
 *
 * The interface is synchronous on purpose: a cache worth having is in-process. A remote cache
 * would cost a round trip, as much as the store read it replaces.
 */

export interface CacheStats {
  readonly entries: number;
  readonly bytes: number;
  readonly hits: number;
  readonly misses: number;
  /** Entries dropped to stay within bounds. */
  readonly evictions: number;
}

export interface ReplyCache {
  get(key: string): Buffer | undefined;
  set(key: string, value: Buffer): void;
  delete(key: string): void;
  clear(): void;
  stats(): CacheStats;
}

/** The cache key of a carrier's waybill. */
export const replyKey = (carrier: string, waybill: string): string => carrier + '\u0000' + waybill;
