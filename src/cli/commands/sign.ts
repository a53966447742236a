/**
 * @module
 * `wxtrack sign`: prints a freshly signed query URL, as WeChat's front end would build it.
 */
import { randomInt } from 'node:crypto';
import { DEFAULTS, type Flags } from '../../config/settings.js';
import { loadSigner, signTargetUrl } from '../../config/carrier-settings.js';
import { signedQueryUrl } from '../../protocol/signed-url.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const signCommand: Command = {
  name: 'sign',
  summary: 'print a freshly signed query URL',
  usage: `wxtrack sign --token T --orderid X [--url U | --path P] [--openid O] [--company-id C]
       wxtrack sign --config FILE [--carrier ID] --orderid X [--url U | --path P] [--openid O]

  The token is --token, else (with --config or WXTRACK_CONFIG) the carrier's current token, else
  WXTRACK_TOKEN. With a file, the carrier's id is sent as company_id (--company-id overrides it);
  --carrier is needed only when the file has several carriers, and only its token must be set.
  --url defaults to the gateway's own address: http://HOST:PORT/PATH from --host, --port and
  --path (WXTRACK_HOST, WXTRACK_PORT, WXTRACK_TRACK_PATH, then the file's server section), i.e.
  http://${DEFAULTS.host}:${DEFAULTS.port}${DEFAULTS.trackPath} by default.`,
  options: {
    token: { type: 'string' },
    orderid: { type: 'string' },
    url: { type: 'string' },
    path: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    openid: { type: 'string' },
    'company-id': { type: 'string' },
    config: { type: 'string' },
    carrier: { type: 'string' },
  },
  run: runSign,
};

async function runSign(flags: Flags, _args: readonly string[], io: Output): Promise<number> {
  const refuse = (message: string) => {
    io.err(`wxtrack sign: ${message}\n`);
    return 2;
  };
  const signer = loadSigner(flags);
  if (!signer.ok) return refuse(signer.errors.join('; '));
  const { token, companyId, file } = signer;
  if (typeof flags.orderid !== 'string') return refuse('--orderid is required');
  io.out(
    signedQueryUrl({
      url: signTargetUrl(flags, file),
      token,
      orderid: flags.orderid,
      openid: typeof flags.openid === 'string' ? flags.openid : 'oWxtrackSignCli0000000000000',
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: String(randomInt(1, 2 ** 47)),
      ...(companyId === undefined ? {} : { companyId }),
    }) + '\n',
  );
  return 0;
}
