/**
 * @module
 * `wxtrack config check [FILE]`: validates a configuration file and prints a summary of each
 * carrier, or every problem with its path. Exits 0 when the gateway would start with it.
 */
import { configPathSetting, loadConfigFile, type Flags } from '../../config.js';
import { CONFIG_FILE_NAME } from '../../config/config-file.js';
import { summarizeConfig } from '../../config/config-summary.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const configCommand: Command = {
  name: 'config',
  summary: 'config check [FILE]: validate wxtrack.config.json and summarize each carrier',
  usage: `wxtrack config check [FILE]

  FILE defaults to --config, then WXTRACK_CONFIG, then ./${CONFIG_FILE_NAME}. Secrets are resolved
  from the environment (and secret files) exactly as \`serve\` would, but never printed. Exits 0 if
  the file is valid, 1 if not, 2 on a usage error.`,
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
  return 0;
}
