/**
 * @module
 * `wxtrack sign`: prints a freshly signed query URL, as WeChat's front end would build it.
 */
import { randomInt } from 'node:crypto';
import { DEFAULTS, loadCarriers, type Flags } from '../../config.js';
import { signedQueryUrl } from '../../protocol/signed-url.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const signCommand: Command = {
  name: 'sign',
  summary: 'print a freshly signed query URL',
  usage: `wxtrack sign --token T --orderid X [--url U] [--openid O] [--company-id C]
       wxtrack sign --config FILE --carrier ID --orderid X [--url U] [--openid O]

  With --config (or WXTRACK_CONFIG) and --carrier, the carrier's current token signs and its id
  is sent as company_id.
  --url defaults to http://${DEFAULTS.host}:${DEFAULTS.port}${DEFAULTS.trackPath}`,
  options: {
    token: { type: 'string' },
    orderid: { type: 'string' },
    url: { type: 'string' },
    openid: { type: 'string' },
    'company-id': { type: 'string' },
    config: { type: 'string' },
    carrier: { type: 'string' },
  },
  run: async (flags: Flags, _args, io: Output) => {
    let token = flags.token;
    let companyId = flags['company-id'];
    if (typeof flags.carrier === 'string' && token === undefined) {
      const loaded = loadCarriers({ config: flags.config }, undefined, { requireToken: false });
      const carrier = loaded.ok ? loaded.config.carriers.find((c) => c.id === flags.carrier) : undefined;
      if (!loaded.ok || !loaded.config.file || !carrier) {
        io.err(
          `wxtrack sign: ${loaded.ok ? `carrier "${String(flags.carrier)}" is not in a configuration file (--config)` : loaded.errors.join('; ')}\n`,
        );
        return 2;
      }
      token = carrier.tokens[0];
      companyId ??= carrier.id;
    }
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
        ...(typeof companyId === 'string' ? { companyId } : {}),
      }) + '\n',
    );
    return 0;
  },
};
