/**
 * @module
 * `wxtrack config check [FILE]`: validates a configuration file and prints a summary of each
 * carrier, or every problem with its path. Exits 0 when the gateway would start with it.
 */
import { existsSync } from 'node:fs';
import { openStore } from '../../backends/open-backends.js';
import type { Carrier } from '../../carrier/carrier.js';
import { storedStatusWarnings } from '../../carrier/stored-cell-status.js';
import { unservedCarriers, unservedWarning } from '../../carrier/unserved-carriers.js';
import { systemClock } from '../../clock/clock.js';
import { type Flags } from '../../config/settings.js';
import { describeStore, loadStoreConfig } from '../../config/store-settings.js';
import { configPathSetting, loadConfigFile } from '../../config/carrier-settings.js';
import { CONFIG_FILE_NAME } from '../../config/config-file.js';
import { summarizeConfig } from '../../config/config-summary.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const configCommand: Command = {
  name: 'config',
  summary: 'config check [FILE]: validate wxtrack.config.json and summarize each carrier',
  usage: `wxtrack config check [FILE]

  FILE defaults to --config, then WXTRACK_CONFIG, then ./${CONFIG_FILE_NAME}. Secrets are resolved
  from the environment (and secret files) exactly as \`serve\` would, but never printed. When the
  store (server.db, or WXTRACK_DB) holds waybills of a carrier the file does not serve, a warning
  names it with its waybill count, and stored cells whose status repeats the cell's registered
  link are named too (status is a URL parameter appended to that link; the first 1000 waybills
  of each carrier are read). Exits 0 if the file is valid, 1 if not, 2 on a usage error.`,
  options: { config: { type: 'string' } },
  positionals: true,
  run: runConfig,
};

async function runConfig(flags: Flags, args: readonly string[], io: Output): Promise<number> {
  const [sub, file, ...extra] = args;
  if (sub !== 'check' || extra.length > 0) {
    io.err(`wxtrack config: expected "check [FILE]"\n\n${configCommand.usage}\n`);
    return 2;
  }
  const path = file ?? configPathSetting(flags) ?? CONFIG_FILE_NAME;
  const loaded = loadConfigFile(path);
  if (!loaded.ok) {
    io.err(`${path}: ${loaded.errors.length} problem${loaded.errors.length === 1 ? '' : 's'}\n`);
    io.err(loaded.errors.map((e) => `  - ${e}\n`).join(''));
    return 1;
  }
  io.out(summarizeConfig(path, loaded.config));
  for (const warning of await storeWarnings(path, loaded.config.carriers)) io.err(`warning: ${warning}\n`);
  return 0;
}

/**
 * What the store says about the file: carriers it holds that the file does not serve, and stored
 * cells whose status repeats its link. None when no store exists yet; a store that cannot be read
 * is said so, without failing the check.
 */
async function storeWarnings(path: string, carriers: readonly Carrier[]): Promise<string[]> {
  const where = loadStoreConfig({ config: path });
  if (!where.ok) return [];
  const spec = where.config.store;
  if (spec.kind === 'sqlite' && (spec.path === ':memory:' || !existsSync(spec.path))) return [];
  try {
    const store = await openStore(spec, { clock: systemClock, readonly: true });
    try {
      const served = carriers.map((c) => c.id);
      const dark = unservedWarning(unservedCarriers(await store.countByCarrier(), served));
      return [...(dark === undefined ? [] : [dark]), ...(await storedStatusWarnings(store, carriers))];
    } finally {
      await store.close();
    }
  } catch (err) {
    return [`could not read the store ${describeStore(spec)}: ${(err as Error).message}`];
  }
}
