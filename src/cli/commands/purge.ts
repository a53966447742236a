/**
 * @module
 * `wxtrack purge --older-than 180d`: erases waybills whose newest event is older than the cutoff,
 * with their events. The server can do the same daily with `--retention-days`.
 */
import { existsSync } from 'node:fs';
import { systemClock } from '../../clock/clock.js';
import { type Flags } from '../../config/settings.js';
import { loadStoreConfig } from '../../config/store-settings.js';
import { parseAge } from '../../retention/duration.js';
import { openStore } from '../../backends/open-backends.js';
import { DatabaseMissingError } from '../../store/store-errors.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

const AGE_FORMS = 'a whole number of hours, days or weeks, e.g. 36h, 180d, 26w';

/** `3m` reads as three months to a person, and as three minutes to a program: say which is meant. */
function monthsHint(text: string): string {
  const m = /^\s*(\d+)\s*(m|mo|month|months|y|yr|year|years)\s*$/i.exec(text);
  if (!m) return '';
  const n = Number(m[1]);
  const days = /^y/i.test(m[2]!) ? n * 365 : n * 30;
  return ` (months and years are not accepted, being of unequal length: write ${days}d)`;
}

export const purgeCommand: Command = {
  name: 'purge',
  summary: 'erase waybills whose last event is older than a cutoff',
  usage: `wxtrack purge --older-than AGE [--dry-run] [--db PATH|URL] [--config FILE] [--json]

  AGE is a whole number of hours, days or weeks: 36h, 180d, 26w. A waybill set through the API
  without any scan ages from its last update. --dry-run counts what would be erased and erases
  nothing.`,
  options: {
    'older-than': { type: 'string' },
    'dry-run': { type: 'boolean' },
    db: { type: 'string' },
    config: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async (flags: Flags, _args, io: Output) => {
    const text = flags['older-than'];
    if (typeof text !== 'string') {
      io.err(`wxtrack purge: --older-than is required: ${AGE_FORMS}\n`);
      return 2;
    }
    const age = parseAge(text);
    if (age === undefined) {
      io.err(`wxtrack purge: --older-than "${text}" is not an age: ${AGE_FORMS}${monthsHint(text)}\n`);
      return 2;
    }
    const dryRun = flags['dry-run'] === true;
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
      const removed = dryRun ? await store.countOlderThan(cutoff) : await store.purgeOlderThan(cutoff);
      const before = new Date(cutoff).toISOString();
      io.out(
        flags.json === true
          ? JSON.stringify({ cutoff: before, dry_run: dryRun, ...removed }) + '\n'
          : dryRun
            ? `dry run: would purge ${removed.waybills} waybills and ${removed.events} events last scanned before ${before}; nothing was erased\n`
            : `purged ${removed.waybills} waybills and ${removed.events} events last scanned before ${before}\n`,
      );
      return 0;
    } finally {
      await store.close();
    }
  },
};
