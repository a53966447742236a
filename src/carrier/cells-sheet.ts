/**
 * @module
 * The cell registration sheet a courier emails to WeChat (spec §落地页Cell信息: Key, Name, Link
 * for each cell). Pure: no I/O.
 */
import type { Carrier } from './carrier.js';
import { pipeTable } from './text-table.js';

/** The sheet for one carrier: a heading naming the courier, then the Key / Name / Link table. */
export function cellsSheet(carrier: Carrier): string {
  const cells = carrier.cells ?? [];
  const heading =
    `${carrier.name} (company_id ${carrier.id}) - 落地页Cell信息 / cell registration\n` +
    (carrier.phone === undefined ? '' : `运力客服电话 / customer service: ${carrier.phone}\n`) +
    '\n';
  if (cells.length === 0)
    return heading + 'No cells registered: add "cells" to the carrier in wxtrack.config.json.\n';
  return (
    heading +
    pipeTable(
      ['Key', 'Name', 'Link'],
      cells.map((c) => [c.key, c.name, c.link]),
    )
  );
}
