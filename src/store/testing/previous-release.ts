/**
 * @module
 * A database as the previous release left it (SQLite migrations 1–3, PostgreSQL migration 1):
 * events, and a `waybills` row per waybill holding the reply rendered at write time and the
 * waybill API's attributes. Built from the golden stream (reply/testing/golden-trace.ts), whose
 * replies the previous release's code rendered, so a test can migrate it forward and check that
 * rendering on read gives the very bytes the old database stored.
 */
import goldenReplies from '../../reply/testing/golden-replies.json' with { type: 'json' };
import { goldenOps, type GoldenEvent } from '../../reply/testing/golden-trace.js';
import type { WaybillAttributesPatch } from '../store.js';

export interface PreviousEventRow {
  readonly carrier: string;
  readonly event: GoldenEvent;
  /** Ingest order, as the previous release drew it. */
  readonly seq: number;
}

export interface PreviousWaybillRow {
  readonly carrier: string;
  readonly waybill: string;
  readonly reply: string;
  readonly lastEventAt: number;
  readonly eta: string | null;
  readonly cells: string | null;
  readonly destination: string | null;
}

/** The rows the previous release stored for the golden stream. */
export function previousReleaseRows(): { events: PreviousEventRow[]; waybills: PreviousWaybillRow[] } {
  const golden = goldenReplies as { seed: number; traces: number; replies: Record<string, string> };
  const ops = goldenOps(golden.seed, golden.traces);
  const events: PreviousEventRow[] = [];
  const seen = new Set<string>();
  const attributes = new Map<
    string,
    { eta: string | null; cells: string | null; destination: string | null }
  >();
  const last = new Map<string, number>();
  for (const op of ops) {
    if (op.op === 'append') {
      for (const e of op.events) {
        const id = op.carrier + '\n' + e.eventId;
        if (seen.has(id)) continue; // a duplicate or a conflict: the first version stays
        seen.add(id);
        events.push({ carrier: op.carrier, event: e, seq: events.length + 1 });
        const key = op.carrier + '\n' + e.waybill;
        last.set(key, Math.max(last.get(key) ?? 0, e.time));
      }
    } else {
      const key = op.carrier + '\n' + op.waybill;
      const a = attributes.get(key) ?? { eta: null, cells: null, destination: null };
      const p: WaybillAttributesPatch = op.patch;
      attributes.set(key, {
        eta: p.eta === undefined ? a.eta : p.eta,
        cells: p.cells === undefined ? a.cells : p.cells === null ? null : JSON.stringify(p.cells),
        destination: p.destination === undefined ? a.destination : p.destination,
      });
    }
  }
  const waybills = Object.entries(golden.replies).map(([key, reply]) => {
    const [carrier, waybill] = key.split('\n') as [string, string];
    const a = attributes.get(key) ?? { eta: null, cells: null, destination: null };
    return { carrier, waybill, reply, lastEventAt: last.get(key) ?? 0, ...a };
  });
  return { events, waybills };
}
