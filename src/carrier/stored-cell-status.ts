/**
 * @module
 * `config check` on stored data: cells whose `status` repeats the cell's registered link. wxtrack
 * reads `status` as a URL parameter appended to that link (cell-link.ts), so a page path there
 * makes a tap open `pages/pay/index?pages/pay/index&…`. Ingestion warns as each event arrives;
 * this finds what was stored before, or through another route, once the configuration names the
 * links.
 *
 * It reads the first {@link STATUS_SAMPLE} waybills of each carrier with cells (one indexed read
 * each: about 0.1 s on SQLite for the lot), not the whole store, and says so: a check must stay
 * quick on a store of millions.
 */
import { statusRepeatsLink } from '../cell-link/cell-link.js';
import type { Cell } from '../protocol/order-info.js';
import type { Carrier } from './carrier.js';

/** What this reads of a store: the store's WaybillReader role, as far as it is used here. */
export interface CellStatusReader {
  listWaybills(carrier: string, page: { readonly limit: number }): Promise<string[]>;
  readWaybill(
    carrier: string,
    waybill: string,
  ): Promise<
    | {
        readonly events: readonly { readonly cells: readonly Cell[] | undefined }[];
        readonly attributes: { readonly cells: readonly Cell[] | undefined };
      }
    | undefined
  >;
}

/** Waybills read per carrier. */
export const STATUS_SAMPLE = 1000;

/** One line per carrier with such cells: how many of the waybills read, and an example. */
export async function storedStatusWarnings(
  reader: CellStatusReader,
  carriers: readonly Pick<Carrier, 'id' | 'cells'>[],
  sample = STATUS_SAMPLE,
): Promise<string[]> {
  const out: string[] = [];
  for (const carrier of carriers) {
    const links = new Map((carrier.cells ?? []).map((c) => [c.key, c.link]));
    if (links.size === 0) continue;
    const waybills = await reader.listWaybills(carrier.id, { limit: sample });
    let found = 0;
    let example: { waybill: string; key: string; status: string } | undefined;
    for (const waybill of waybills) {
      const state = await reader.readWaybill(carrier.id, waybill);
      if (state === undefined) continue;
      const cells = [...(state.attributes.cells ?? []), ...state.events.flatMap((e) => e.cells ?? [])];
      const bad = cells.find((c) => links.has(c.key) && statusRepeatsLink(c.status, links.get(c.key)!));
      if (bad === undefined) continue;
      found++;
      example ??= { waybill, key: bad.key, status: bad.status! };
    }
    if (example === undefined) continue;
    out.push(
      `carrier ${carrier.id}: ${found} of the ${waybills.length} waybills read have a cell whose status ` +
        `repeats its registered link (e.g. ${example.waybill}, cell "${example.key}", status ` +
        `"${example.status}"); status is a URL parameter appended to that link, e.g. state=unpaid`,
    );
  }
  return out;
}
