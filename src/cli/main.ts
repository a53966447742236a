/**
 * @module
 * The `wxtrack` command line: one small module per command under commands/, loaded only when it
 * runs. Loading every command (and with them Fastify, exceljs, pg, lmdb …) made `--version` take
 * 0.83 s and 100 MiB against 0.08 s for `node -e 0`; the table below holds what `--help` prints,
 * so `--version` and `--help` load no command at all (main-startup.test.ts keeps the table true).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Flags } from '../config/settings.js';
import type { Command } from './commands/command.js';
import { DB_MISSING } from '../store/store-errors.js';
import { processOutput, type Output } from './output.js';
import { didYouMean } from './suggest.js';

/** A command as `--help` lists it, and how to load it. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'init',
    summary: 'create the database and a commented starter configuration',
    load: async () => (await import('./commands/init.js')).initCommand,
  },
  {
    name: 'serve',
    summary: "serve WeChat's track queries",
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  {
    name: 'import',
    summary: 'load scan events from an NDJSON or CSV file (- for stdin)',
    load: async () => (await import('./commands/import.js')).importCommand,
  },
  {
    name: 'sign',
    summary: 'print a freshly signed query URL',
    load: async () => (await import('./commands/sign.js')).signCommand,
  },
  {
    name: 'demo',
    summary: 'serve demo parcels from a temporary database and print signed curl lines',
    load: async () => (await import('./commands/demo.js')).demoCommand,
  },
  {
    name: 'config',
    summary: 'config check [FILE]: validate wxtrack.config.json and summarize each carrier',
    load: async () => (await import('./commands/config.js')).configCommand,
  },
  {
    name: 'cells',
    summary: 'cells sheet --carrier X: print the cell registration table for WeChat',
    load: async () => (await import('./commands/cells.js')).cellsCommand,
  },
  {
    name: 'pattern',
    summary: 'pattern lint --carrier X: coverage, collisions, breadth and change notice of a waybill pattern',
    load: async () => (await import('./commands/pattern.js')).patternCommand,
  },
  {
    name: 'keys',
    summary: 'create, list and revoke API keys for the push and waybill API',
    load: async () => (await import('./commands/keys.js')).keysCommand,
  },
  {
    name: 'purge',
    summary: 'erase waybills whose last event is older than a cutoff',
    load: async () => (await import('./commands/purge.js')).purgeCommand,
  },
  {
    name: 'check',
    summary: "check an endpoint as WeChat's front end and review would",
    load: async () => (await import('./commands/check.js')).checkCommand,
  },
  {
    name: 'preview',
    summary: "show a waybill as WeChat's landing page would, in a local page",
    load: async () => (await import('./commands/preview.js')).previewCommand,
  },
  {
    name: 'apply',
    summary: 'write the application email to WeChat from the configuration',
    load: async () => (await import('./commands/apply.js')).applyCommand,
  },
  {
    name: 'cell-link',
    summary: 'verify the link WeChat opens when a cell is tapped',
    load: async () => (await import('./commands/cell-link.js')).cellLinkCommand,
  },
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
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const hint = didYouMean(
      name,
      COMMANDS.map((c) => c.name),
    );
    io.err(`wxtrack: unknown command "${name}"${hint}\n\n${help()}`);
    return 2;
  }
  const command = await entry.load();
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
    io.err(`wxtrack ${command.name}: ${failureMessage(err as Error & { code?: unknown }, command)}\n`);
    return 1;
  }
}

/**
 * A command's failure as told to the user. A missing database suggests `--create` only to the
 * commands that take it (serve, import); the others are pointed at `wxtrack init` alone.
 */
function failureMessage(err: Error & { code?: unknown }, command: Command): string {
  if (err.code === DB_MISSING && !('create' in command.options)) {
    return err.message.replace(/, or pass --create to make a new one here$/, '');
  }
  return err.message;
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
