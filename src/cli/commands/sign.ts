/**
 * @module
 * `wxtrack sign`: prints a freshly signed query URL, as WeChat's front end would build it.
 */
import { randomInt } from 'node:crypto';
import { DEFAULTS, type Flags } from '../../config.js';
import { signedQueryUrl } from '../../protocol/signed-url.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const signCommand: Command = {
  name: 'sign',
  summary: 'print a freshly signed query URL',
  usage: `wxtrack sign --token T --orderid X [--url U] [--openid O] [--company-id C]

  --url defaults to http://${DEFAULTS.host}:${DEFAULTS.port}${DEFAULTS.trackPath}`,
  options: {
    token: { type: 'string' },
    orderid: { type: 'string' },
    url: { type: 'string' },
    openid: { type: 'string' },
    'company-id': { type: 'string' },
  },
  run: async (flags: Flags, _args, io: Output) => {
    const token = flags.token;
    const orderid = flags.orderid;
    if (typeof token !== 'string' || typeof orderid !== 'string') {
      io.err('wxtrack sign: --token and --orderid are required\n');
      return 2;
    }
    io.out(
      signedQueryUrl({
        url:
          typeof flags.url === 'string'
            ? flags.url
            : `http://${DEFAULTS.host}:${DEFAULTS.port}${DEFAULTS.trackPath}`,
        token,
        orderid,
        openid: typeof flags.openid === 'string' ? flags.openid : 'oWxtrackSignCli0000000000000',
        timestamp: String(Math.floor(Date.now() / 1000)),
        nonce: String(randomInt(1, 2 ** 47)),
        ...(typeof flags['company-id'] === 'string' ? { companyId: flags['company-id'] } : {}),
      }) + '\n',
    );
    return 0;
  },
};
