/**
 * @module
 * The reply view: a local, derived copy of the store's rendered replies, kept compressed (see
 * deflated-reply.ts), that the query path reads instead of the store. The store stays the source
 * of truth; the view can be dropped and refilled at any time.
 *
 * Why a view and not the store: on 1,000,000 waybills a random SQLite reply read cost 36–117 µs
 * of wall time, because SQLite maps at most 2 GiB of its 4.3 GiB file and this kind of machine
 * keeps only part of the file in the page cache. A memory-mapped key-value file of compressed
 * replies is a fraction of that size and reads in well under a microsecond once resident, and its
 * cost does not grow with the number of events. Why not only an in-process Map: every worker
 * process would hold its own copy and refill it on every start; a mapped file is shared by all
 * workers on the machine and survives a restart.
 *
 * Coherence rests on the view's *position*, a change mark (store/roles.ts {@link ChangeMark}:
 * the store's id, a seq and that entry's random tag): the view holds, for every waybill, either
 * nothing or a reply at least as new as every change up to `position` in the store's change feed.
 * The mark is what lets the view prove it derives from the store it serves: the store answers a
 * gap for a mark it cannot prove (another store, a restored or rolled-back one), and the view is
 * reset. Two operations keep the invariant, each atomic against every other process sharing it:
 *
 * - {@link ReplyView.advance} drops the waybills that changes up to `next` touched and moves the
 *   position there (only forward);
 * - {@link ReplyView.fill} adds replies read from the store, but only if the position has not
 *   moved since before they were read: a reply read before a change must not land after the
 *   change's invalidation. Had it moved, the fill is skipped and the next miss reads again.
 *
 * A miss is not an answer: the caller reads the store.
 */
import type { ChangeMark } from '../store/roles.js';

export interface ReplyView {
  /** The stored (deflated) reply of a waybill, or `undefined`: ask the store. */
  get(carrier: string, waybill: string): Buffer | undefined;

  /** The change mark the view reflects; store/sql/change-feed.ts `NO_MARK` for a new view. */
  position(): ChangeMark;

  /**
   * Adds entries if the position is still `seenAt`; returns whether it did. The entries are
   * replies read from the store after the position was read as `seenAt`.
   */
  fill(seenAt: ChangeMark, entries: readonly ViewEntry[]): Promise<boolean>;

  /**
   * Drops the waybills in `touched` and moves the position to `next`, if it is behind `next` in
   * the same store; returns whether it did (false: another process sharing the view already got
   * there).
   */
  advance(next: ChangeMark, touched: readonly { carrier: string; waybill: string }[]): Promise<boolean>;

  /** Drops every entry and sets the position (a gap: a mark the store could not prove). */
  reset(position: ChangeMark): Promise<void>;

  /**
   * Whether a warm-up once filled the view with every reply ({@link ReplyView.markWarm}); a
   * reset clears it. A process starting on a warm view skips the walk over every waybill.
   */
  isWarm(): boolean;

  /** Records that a warm-up walked every waybill. */
  markWarm(): Promise<void>;

  /** Number of entries, for metrics and tests. */
  size(): number;

  close(): Promise<void>;
}

export interface ViewEntry {
  readonly carrier: string;
  readonly waybill: string;
  /** The reply as deflateReply() stores it. */
  readonly value: Buffer;
}

/** The view's key of a carrier's waybill. Carrier ids never contain NUL. */
export const viewKey = (carrier: string, waybill: string): string => carrier + '\u0000' + waybill;
