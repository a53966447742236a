/**
 * @module
 * The shape of a CLI command: its flags as `node:util` parseArgs options, and a run function that
 * returns the exit code.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Flags } from '../../config/settings.js';
import type { Output } from '../output.js';

export interface Command {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Whether the command takes positional arguments. */
  readonly positionals?: boolean;
  run(flags: Flags, args: readonly string[], io: Output): Promise<number>;
}
