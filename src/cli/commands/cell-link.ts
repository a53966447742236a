/**
 * @module
 * `wxtrack cell-link verify '<link>' --token T`: checks a tapped cell's link as a mini-program
 * backend would (spec §自定义cell跳转), for debugging. Exit 0 when it verifies, 1 when not.
 */
import { verifyCellLink } from '../../cell-link/cell-link.js';
import type { Flags } from '../../config/settings.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const cellLinkCommand: Command = {
  name: 'cell-link',
  summary: 'verify the link WeChat opens when a cell is tapped',
  usage: `wxtrack cell-link verify '<link>' --token T [--token T2] [--sorted] [--window S] [--at UNIX]

  Checks signature = sha1(token + timestamp + nonce), concatenated as the spec writes it for
  cells; --sorted checks the query's sorted form instead. --window is the freshness window in
  seconds (default 300); --at judges freshness at another time (Unix seconds), for old links.`,
  options: {
    token: { type: 'string', multiple: true },
    sorted: { type: 'boolean' },
    window: { type: 'string' },
    at: { type: 'string' },
  },
  positionals: true,
  run: async (flags: Flags, args, io: Output) => {
    const tokens = (flags as Record<string, unknown>).token as string[] | undefined;
    if (args[0] !== 'verify' || args.length !== 2 || !tokens?.length) {
      io.err(`wxtrack cell-link: expected verify '<link>' --token T\n\n${cellLinkCommand.usage}\n`);
      return 2;
    }
    const window = flags.window === undefined ? undefined : Number(flags.window);
    const at = flags.at === undefined ? undefined : Number(flags.at);
    if (
      (window !== undefined && !(Number.isInteger(window) && window > 0)) ||
      (at !== undefined && !Number.isInteger(at))
    ) {
      io.err('wxtrack cell-link: --window and --at take whole seconds\n');
      return 2;
    }
    const result = verifyCellLink(args[1]!, {
      token: tokens,
      ...(window === undefined ? {} : { windowSeconds: window }),
      ...(at === undefined ? {} : { now: at * 1000 }),
      signatureForm: flags.sorted === true ? 'sorted' : 'concatenated',
    });
    if (result.ok) {
      io.out(`ok  orderid=${result.orderid}  openid=${result.openid}  timestamp=${result.timestamp}\n`);
      return 0;
    }
    io.out(`refused: ${result.reason}\n`);
    return 1;
  },
};
