/**
 * @module
 * The `wxtrack` command line: one small module per command under commands/.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Flags } from '../config.js';
import { cellLinkCommand } from './commands/cell-link.js';
import { cellsCommand } from './commands/cells.js';
import { checkCommand } from './commands/check.js';
import { applyCommand } from './commands/apply.js';
import type { Command } from './commands/command.js';
import { configCommand } from './commands/config.js';
import { demoCommand } from './commands/demo.js';
import { importCommand } from './commands/import.js';
import { initCommand } from './commands/init.js';
import { patternCommand } from './commands/pattern.js';
import { keysCommand } from './commands/keys.js';
import { previewCommand } from './commands/preview.js';
import { purgeCommand } from './commands/purge.js';
import { serveCommand } from './commands/serve.js';
import { signCommand } from './commands/sign.js';
import { processOutput, type Output } from './output.js';
import { didYouMean } from './suggest.js';

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
  checkCommand,
  previewCommand,
  applyCommand,
  cellLinkCommand,
];

/** The package's version, from its package.json (two folders up from src/cli and from dist/cli). */
export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return (
    'usage: wxtrack <command> [options]\n\n' +
    COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}\n`).join('') +
    "\nwxtrack <command> --help shows a command's options; wxtrack --version prints the version.\n"
  );
}

/** Runs the CLI; resolves with the process exit code. */
export async function main(argv: readonly string[], io: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    io.out(help());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.out(`wxtrack ${version()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    const hint = didYouMean(
      name,
      COMMANDS.map((c) => c.name),
    );
    io.err(`wxtrack: unknown command "${name}"${hint}\n\n${help()}`);
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
    io.err(`wxtrack ${command.name}: ${argumentProblem(err as Error, command)}\n\n${command.usage}\n`);
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

/** parseArgs' complaint, with the closest known flag when one was mistyped. */
function argumentProblem(err: Error & { code?: string }, command: Command): string {
  const unknown = /^Unknown option '(-{1,2})([^']+)'/.exec(err.message);
  if (err.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const flag = unknown[1]! + unknown[2]!;
    const known = Object.keys(command.options);
    return `unknown option ${flag}${didYouMean(unknown[2]!, known, '--')}; the options are listed below`;
  }
  return err.message;
}
