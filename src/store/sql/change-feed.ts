/**
 * @module
 * The rules of the change feed that both SQL backends share (roles.ts {@link ChangeFeed}):
 * argument checks, when a write prunes, the random tag of each entry, and how a page is cut from
 * what the backend read in one snapshot. The backends only store and read rows; what a page means
 * is decided here, once.
 *
 * **Proof.** A reader's mark names a store (the random id made with the schema), a seq and that
 * entry's random tag. The mark is proven when the store is the same and the entry at that seq
 * still carries that tag, or the mark is exactly the pruned point (whose tag is kept when the
 * entries up to it are deleted). After a restore from a backup, a point-in-time recovery or a
 * rollback, the seqs past the recovered point are drawn again, with other tags; a replacement
 * database has another id. Either way the reader gets a gap and drops what it derived, instead of
 * trusting a position that only looks right (issue: a view after a database restore).
 *
 * **Pruning** keeps the log bounded: a write whose entries cross a multiple of the prune step
 * deletes every entry more than `keep` behind the newest and records how far it went and that
 * entry's tag. So the log holds about `keep` + one step + one write's entries, and a reader behind
 * the pruned point learns that it missed changes (a gap) instead of silently skipping them.
 */
import { randomBytes } from 'node:crypto';
import type { ChangeMark, ChangePage } from '../roles.js';
import type { WaybillRef } from '../store.js';

/** Entries a store keeps by default: at 1,000 touched waybills a second, 100 s of history. */
export const DEFAULT_CHANGE_LOG_KEEP = 100_000;

/** A change-feed entry as a backend reads it. */
export interface ChangeRow extends WaybillRef {
  readonly seq: number;
  readonly tag: string;
}

/** The feed's state, read in the same snapshot as the page's rows. */
export interface FeedState {
  /** The store's random id (store_meta). */
  readonly storeId: string;
  /** Entries up to this seq were pruned (0: none); `prunedTag` is the tag the last of them had. */
  readonly prunedThrough: number;
  readonly prunedTag: string;
  /** The newest entry, or undefined when the log holds none. */
  readonly newest: { readonly seq: number; readonly tag: string } | undefined;
  /** The tag of the entry at the reader's seq, if the log still holds it. */
  readonly tagAtMark: string | undefined;
}

/** Throws a RangeError on a bad `keep` (a store option). */
export function checkChangeLogKeep(keep: number): number {
  if (!Number.isSafeInteger(keep) || keep < 1)
    throw new RangeError('changeLogKeep must be a positive integer');
  return keep;
}

/** Throws a RangeError on bad {@link ChangeFeed.changesSince} arguments. */
export function checkChangesArgs(after: ChangeMark, limit: number): void {
  if (typeof after !== 'object' || after === null) throw new RangeError('after must be a change mark');
  if (!Number.isSafeInteger(after.seq) || after.seq < 0)
    throw new RangeError('after.seq must be a non-negative integer');
  if (typeof after.store !== 'string' || typeof after.tag !== 'string')
    throw new RangeError('after.store and after.tag must be strings');
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
}

/** Random tags for `n` new entries: 12 base64url characters (72 bits) each, one syscall per write. */
export function newTags(n: number): string[] {
  const bytes = randomBytes(9 * n).toString('base64url');
  const tags: string[] = new Array(n);
  for (let i = 0; i < n; i++) tags[i] = bytes.slice(12 * i, 12 * i + 12);
  return tags;
}

/**
 * After a write appended entries `first`..`last`, the seq to prune through (inclusive), or
 * `undefined` when this write does not prune. Prunes once per `min(keep, 1024)` entries, so the
 * delete is amortised and the newest entry is never deleted (`keep` ≥ 1). The backend prunes
 * through the newest entry at or below it (seqs may have holes) and keeps that entry's tag.
 */
export function pruneThrough(first: number, last: number, keep: number): number | undefined {
  const step = Math.min(keep, 1024);
  if (Math.floor(last / step) === Math.floor((first - 1) / step)) return undefined;
  const through = last - keep;
  return through > 0 ? through : undefined;
}

/** The newest mark of a feed: its newest entry, or the pruned point when it holds none. */
export function newestMark(state: Omit<FeedState, 'tagAtMark'>): ChangeMark {
  const n = state.newest;
  return n === undefined || n.seq < state.prunedThrough
    ? { store: state.storeId, seq: state.prunedThrough, tag: state.prunedTag }
    : { store: state.storeId, seq: n.seq, tag: n.tag };
}

/** Whether `after` is a point of this feed (see the module doc). */
export function proven(after: ChangeMark, state: FeedState): boolean {
  if (after.store !== state.storeId) return false;
  if (after.seq === state.prunedThrough) return after.tag === state.prunedTag;
  if (after.seq < state.prunedThrough) return false;
  return state.tagAtMark !== undefined && state.tagAtMark === after.tag;
}

/**
 * Cuts a page. `rows` are the entries after `after.seq` (oldest first, at most the limit), read in
 * the same snapshot as `state`.
 */
export function changePage(after: ChangeMark, rows: readonly ChangeRow[], state: FeedState): ChangePage {
  if (!proven(after, state)) return { changes: [], next: newestMark(state), gap: true };
  const last = rows[rows.length - 1];
  return {
    changes: rows.map((r) => ({ carrier: r.carrier, waybill: r.waybill })),
    next: last === undefined ? after : { store: state.storeId, seq: last.seq, tag: last.tag },
    gap: false,
  };
}

/** Whether two marks name the same point of the same store. */
export const sameMark = (a: ChangeMark, b: ChangeMark): boolean =>
  a.seq === b.seq && a.tag === b.tag && a.store === b.store;

/** A mark no store proves: a new reader's, which starts with a gap. */
export const NO_MARK: ChangeMark = Object.freeze({ store: '', seq: 0, tag: '' });
