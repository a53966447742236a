/**
 * @module
 * `wxtrack purge --older-than 180d`: erases waybills whose newest event is older than the cutoff,
 * with their events. The server can do the same daily with `--retention-days`.
 */
import { existsSync } from 'node:fs';
import { systemClock } from '../../clock/clock.js';
import { loadStoreConfig, type Flags } from '../../config.js';
import { parseAge } from '../../retention/duration.js';
import { openStore } from '../../backends/open-backends.js';
import { DatabaseMissingError } from '../../store/store-errors.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const purgeCommand: Command = {
  name: 'purge',
  summary: 'erase waybills whose last event is older than a cutoff',
  usage: `wxtrack purge --older-than AGE [--db PATH|URL] [--config FILE] [--json]

  AGE is a whole number of hours, days or weeks: 36h, 180d, 26w. A waybill set through the API
  without any scan ages from its last update.`,
  options: {
    'older-than': { type: 'string' },
    db: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async (flags: Flags, _args, io: Output) => {
    const text = flags['older-than'];
    const age = typeof text === 'string' ? parseAge(text) : undefined;
    if (age === undefined) {
      io.err(`wxtrack purge: --older-than is required, e.g. 180d (h, d or w)\n`);
      return 2;
    }
    const loaded = loadStoreConfig(flags);
    if (!loaded.ok) {
      io.err(`wxtrack purge: ${loaded.errors.join('; ')}\n`);
      return 2;
    }
    const spec = loaded.config.store;
    if (spec.kind === 'sqlite' && spec.path !== ':memory:' && !existsSync(spec.path)) {
      io.err(`wxtrack purge: ${new DatabaseMissingError(spec.path).message}\n`);
      return 2;
    }
    const store = await openStore(spec, { clock: systemClock });
    try {
      const cutoff = systemClock.now() - age;
      const removed = await store.purgeOlderThan(cutoff);
      io.out(
        flags.json === true
          ? JSON.stringify({ cutoff: new Date(cutoff).toISOString(), ...removed }) + '\n'
          : `purged ${removed.waybills} waybills and ${removed.events} events last scanned before ${new Date(cutoff).toISOString()}\n`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};
