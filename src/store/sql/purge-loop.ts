/**
 * @module
 * Retention's purge, as both SQL backends run it: in chunks, each its own transaction, so queries
 * and ingest interleave with it, and the event loop serves queries between chunks.
 *
 * The store keeps no per-waybill row written on ingest (writes append events only), so a purge
 * walks the events index in (carrier, waybill) order, `PURGE_CHUNK` waybills at a time, and erases
 * each waybill whose newest event is older than the cutoff. Waybills with attributes and no
 * events age from their last attribute update and go in a second pass. The walk reads the whole
 * index once per purge (about 1 s per 8 M events on SQLite); a backend that partitions events by
 * time can replace a step with dropping whole partitions.
 */
import type { Removed, WaybillRef } from '../store.js';

/** Waybills per chunk (one transaction). */
export const PURGE_CHUNK = 500;

/** One chunk of the walk: what it erased, and the last waybill it looked at (undefined: done). */
export interface PurgeChunk {
  readonly removed: Removed;
  readonly last: WaybillRef | undefined;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs `walk` from the start until it reports no last waybill, then `orphans` (erasing a chunk
 * of attribute-only waybills each call) until a call erases none. Sums what they erased.
 */
export async function purgeLoop(
  walk: (after: WaybillRef | undefined) => Promise<PurgeChunk>,
  orphans: () => Promise<Removed>,
): Promise<Removed> {
  let waybills = 0;
  let events = 0;
  let after: WaybillRef | undefined;
  for (;;) {
    const chunk = await walk(after);
    waybills += chunk.removed.waybills;
    events += chunk.removed.events;
    if (chunk.last === undefined) break;
    after = chunk.last;
    await nextTurn();
  }
  for (;;) {
    const removed = await orphans();
    waybills += removed.waybills;
    events += removed.events;
    if (removed.waybills === 0) return { waybills, events };
    await nextTurn();
  }
}
