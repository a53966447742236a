/**
 * @module
 * The rules of the change log that every store backend shares (see {@link Store.changesSince}):
 * argument checks, when a write prunes, and how a page is cut from what the backend read. The
 * backends only store and read rows; what a page means is decided here, once.
 *
 * Pruning keeps the log bounded: a write whose entries cross a multiple of the prune step deletes
 * every entry more than `keep` behind the newest and records how far it went (`prunedThrough`).
 * So the log holds about `keep` + one step + one write's entries, and a reader whose position is
 * behind `prunedThrough` learns that it missed changes (a gap) instead of silently skipping them.
 */
import type { ChangePage, WaybillRef } from './store.js';

/** Entries a store keeps by default: at 1,000 touched waybills a second, 100 s of history. */
export const DEFAULT_CHANGE_LOG_KEEP = 100_000;

/** A change-log entry as a backend reads it. */
export interface ChangeRow extends WaybillRef {
  readonly seq: number;
}

/** Throws a RangeError on a bad `keep` (a store option). */
export function checkChangeLogKeep(keep: number): number {
  if (!Number.isSafeInteger(keep) || keep < 1)
    throw new RangeError('changeLogKeep must be a positive integer');
  return keep;
}

/** Throws a RangeError on bad {@link Store.changesSince} arguments. */
export function checkChangesArgs(after: number, limit: number): void {
  if (!Number.isSafeInteger(after) || after < 0) throw new RangeError('after must be a non-negative integer');
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('limit must be a positive integer');
}

/**
 * After a write appended entries `first`..`last`, the seq to prune through (inclusive), or
 * `undefined` when this write does not prune. Prunes once per `min(keep, 1024)` entries, so the
 * delete is amortised and the newest entry is never deleted (`keep` ≥ 1).
 */
export function pruneThrough(first: number, last: number, keep: number): number | undefined {
  const step = Math.min(keep, 1024);
  if (Math.floor(last / step) === Math.floor((first - 1) / step)) return undefined;
  const through = last - keep;
  return through > 0 ? through : undefined;
}

/**
 * Cuts a page. `rows` are the entries after `after` (oldest first, at most the limit), read
 * BEFORE `prunedThrough` and `newest`: pruning only moves forward, so if nothing after `after`
 * was pruned when the state was read, nothing was when the rows were read either.
 */
export function changePage(
  after: number,
  rows: readonly ChangeRow[],
  prunedThrough: number,
  newest: number,
): ChangePage {
  if (after < prunedThrough || after > newest) return { changes: [], next: newest, gap: true };
  const last = rows[rows.length - 1];
  return {
    changes: rows.map((r) => ({ carrier: r.carrier, waybill: r.waybill })),
    next: last === undefined ? after : last.seq,
    gap: false,
  };
}
