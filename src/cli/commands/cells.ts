/**
 * @module
 * `wxtrack cells sheet --carrier X`: prints the Key / Name / Link table a courier emails to WeChat
 * to register its cells.
 */
import { type Flags } from '../../config/settings.js';
import { loadOneCarrier } from '../../config/carrier-settings.js';
import { cellsSheet } from '../../carrier/cells-sheet.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const cellsCommand: Command = {
  name: 'cells',
  summary: 'cells sheet --carrier X: print the cell registration table for WeChat',
  usage: `wxtrack cells sheet [--carrier ID] [--config FILE]

  Reads the carriers from --config or WXTRACK_CONFIG; --carrier is optional with one carrier.
  Without a file, the carrier is the one of the flags (--carrier, --carrier-name).`,
  options: { config: { type: 'string' }, carrier: { type: 'string' }, 'carrier-name': { type: 'string' } },
  positionals: true,
  run: async (flags: Flags, args, io: Output) => {
    if (args.length !== 1 || args[0] !== 'sheet') {
      io.err(`wxtrack cells: expected "sheet"\n\n${cellsCommand.usage}\n`);
      return 2;
    }
    const carrier = selectCarrier(flags, io, 'cells');
    if (!carrier) return 2;
    io.out(cellsSheet(carrier));
    return 0;
  },
};

/** The carrier named by --carrier among the configured ones (the only one if just one). */
export function selectCarrier(flags: Flags, io: Output, command: string) {
  // No token is needed to describe a carrier: none is resolved, so no carrier's secret must be set.
  const loaded = loadOneCarrier(flags, undefined, { token: false });
  if (!loaded.ok) {
    io.err(`wxtrack ${command}: ${loaded.errors.join('; ')}\n`);
    return undefined;
  }
  if (loaded.config.file !== undefined && flags['carrier-name'] !== undefined) {
    io.err(
      `wxtrack ${command}: --carrier-name is for a carrier without a file; the file's carriers have their "name"\n`,
    );
    return undefined;
  }
  return loaded.config.carrier;
}
