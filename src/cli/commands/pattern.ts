/**
 * @module
 * `wxtrack pattern lint`: the waybill pattern report for one carrier: coverage of its stored
 * waybills, collisions with the major couriers, breadth, and the change notice for WeChat.
 */
import { existsSync } from 'node:fs';
import { lintPattern } from '../../carrier/pattern-lint.js';
import { formatLintReport } from '../../carrier/pattern-lint-format.js';
import { systemClock } from '../../clock/clock.js';
import { openStore } from '../../backends/open-backends.js';
import { type Flags } from '../../config/settings.js';
import { describeStore, loadStoreConfig } from '../../config/store-settings.js';
import type { WaybillReader } from '../../store/roles.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';
import { selectCarrier } from './cells.js';

const PAGE = 10_000;

export const patternCommand: Command = {
  name: 'pattern',
  summary: 'pattern lint --carrier X: coverage, collisions, breadth and change notice of a waybill pattern',
  usage: `wxtrack pattern lint [--carrier ID] [--config FILE] [--db PATH|URL] [--pattern RE] [--previous RE]

  --carrier ID     the configured carrier (optional with one)
  --carrier-name N the courier's name in the change notice, for a carrier without a file
                   (WXTRACK_CARRIER_NAME; a file's carriers have their "name")
  --pattern RE     lint this candidate instead of the configured pattern
  --previous RE    the pattern registered so far, for the change notice
  --max N          read at most N stored waybills for coverage (default 1000000)

  Exits 0 with no findings, 1 with findings or a refused pattern, 2 on a usage error.`,
  options: {
    config: { type: 'string' },
    carrier: { type: 'string' },
    db: { type: 'string' },
    pattern: { type: 'string' },
    previous: { type: 'string' },
    max: { type: 'string' },
    'waybill-pattern': { type: 'string' },
    'carrier-name': { type: 'string' },
  },
  positionals: true,
  run: runPattern,
};

/** Every stored waybill number of a carrier, page by page, up to `max`. */
export async function readWaybills(
  store: Pick<WaybillReader, 'listWaybills'>,
  carrier: string,
  max: number,
): Promise<string[]> {
  const all: string[] = [];
  let after: string | undefined;
  while (all.length < max) {
    const page = await store.listWaybills(carrier, {
      limit: Math.min(PAGE, max - all.length),
      ...(after === undefined ? {} : { after }),
    });
    all.push(...page);
    if (page.length === 0) break;
    after = page[page.length - 1];
  }
  return all;
}

async function runPattern(flags: Flags, args: readonly string[], io: Output): Promise<number> {
  if (args.length !== 1 || args[0] !== 'lint') {
    io.err(`wxtrack pattern: expected "lint"\n\n${patternCommand.usage}\n`);
    return 2;
  }
  const max = Number(flags.max ?? 1_000_000);
  if (!Number.isInteger(max) || max < 0) {
    io.err('wxtrack pattern: --max must be a non-negative integer\n');
    return 2;
  }
  const carrier = selectCarrier(flags, io, 'pattern');
  if (!carrier) return 2;

  const loaded = loadStoreConfig(flags);
  if (!loaded.ok) {
    io.err(`wxtrack pattern: ${loaded.errors.join('; ')}\n`);
    return 2;
  }
  const spec = loaded.config.store;
  let waybills: string[] = [];
  if (spec.kind === 'postgres' || (spec.path !== ':memory:' && existsSync(spec.path))) {
    const store = await openStore(spec, { clock: systemClock, readonly: true });
    try {
      waybills = await readWaybills(store, carrier.id, max);
    } finally {
      await store.close();
    }
  } else {
    io.err(`wxtrack pattern: no database at ${describeStore(spec)}; coverage is skipped\n`);
  }

  const report = lintPattern({
    carrier: typeof flags.pattern === 'string' ? { ...carrier, waybillPattern: flags.pattern } : carrier,
    waybills,
    ...(typeof flags.previous === 'string'
      ? { previousPattern: flags.previous }
      : typeof flags.pattern === 'string'
        ? { previousPattern: carrier.waybillPattern }
        : {}),
  });
  io.out(formatLintReport(report));
  return report.ok && report.findings.length === 0 ? 0 : 1;
}
