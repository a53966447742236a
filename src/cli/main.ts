/**
 * @module
 * The `wxtrack` command line: one small module per command under commands/.
 */
import { parseArgs } from 'node:util';
import type { Flags } from '../config.js';
import { cellsCommand } from './commands/cells.js';
import type { Command } from './commands/command.js';
import { configCommand } from './commands/config.js';
import { demoCommand } from './commands/demo.js';
import { importCommand } from './commands/import.js';
import { initCommand } from './commands/init.js';
import { patternCommand } from './commands/pattern.js';
import { keysCommand } from './commands/keys.js';
import { purgeCommand } from './commands/purge.js';
import { serveCommand } from './commands/serve.js';
import { signCommand } from './commands/sign.js';
import { processOutput, type Output } from './output.js';

export const COMMANDS: readonly Command[] = [
  initCommand,
  serveCommand,
  importCommand,
  signCommand,
  demoCommand,
  configCommand,
  cellsCommand,
  patternCommand,
  keysCommand,
  purgeCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return (
    'usage: wxtrack <command> [options]\n\n' +
    COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n`).join('') +
    "\nwxtrack <command> --help shows a command's options.\n"
  );
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: readonly string[], io: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`wxtrack: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage + '\n');
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: command.options,
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (err) {
    io.err(`wxtrack ${command.name}: ${(err as Error).message}\n\n${command.usage}\n`);
    return 2;
  }
  try {
    // Every value is a string or a boolean, except `multiple` options (import's --map), which
    // arrive as arrays and are read by the command that declares them.
    return await command.run(parsed.values as Flags, parsed.positionals, io);
  } catch (err) {
    io.err(`wxtrack ${command.name}: ${(err as Error).message}\n`);
    return 1;
  }
}
