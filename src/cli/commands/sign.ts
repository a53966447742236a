/**
 * @module
 * `wxtrack sign`: prints a freshly signed query URL, as WeChat's front end would build it.
 */
import { randomInt } from 'node:crypto';
import { configPathSetting, DEFAULTS, loadCarriers, signTargetUrl, type Flags } from '../../config.js';
import type { FileConfig } from '../../config/config-file.js';
import { signedQueryUrl } from '../../protocol/signed-url.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const signCommand: Command = {
  name: 'sign',
  summary: 'print a freshly signed query URL',
  usage: `wxtrack sign --token T --orderid X [--url U | --path P] [--openid O] [--company-id C]
       wxtrack sign --config FILE [--carrier ID] --orderid X [--url U | --path P] [--openid O]

  With --config (or WXTRACK_CONFIG), the carrier's current token signs and its id is sent as
  company_id; --carrier is needed only when the file has several carriers.
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
  let token = flags.token;
  let companyId = flags['company-id'];
  let file: FileConfig | undefined;
  const configPath = configPathSetting(flags);
  if (configPath !== undefined && token === undefined) {
    const loaded = loadCarriers({ config: configPath }, undefined, { requireToken: false });
    if (!loaded.ok) return refuse(loaded.errors.join('; '));
    file = loaded.config.file;
    const carriers = loaded.config.carriers;
    const ids = carriers.map((c) => c.id).join(', ');
    let carrier = carriers.length === 1 && flags.carrier === undefined ? carriers[0] : undefined;
    if (flags.carrier === undefined && !carrier) {
      return refuse(`--carrier is required: ${configPath} has several carriers (${ids})`);
    }
    carrier ??= carriers.find((c) => c.id === flags.carrier);
    if (!carrier) return refuse(`carrier "${String(flags.carrier)}" is not in ${configPath}; one of ${ids}`);
    token = carrier.tokens[0];
    if (token === undefined)
      return refuse(`carrier ${carrier.id} has no token available (see wxtrack config check)`);
    companyId ??= carrier.id;
  } else if (typeof flags.carrier === 'string' && token === undefined) {
    return refuse(
      `--carrier ${flags.carrier} needs --config FILE (or WXTRACK_CONFIG) to find its token; or pass --token`,
    );
  }
  const orderid = flags.orderid;
  const missing = [
    ...(typeof token === 'string' ? [] : ['--token (or --config FILE)']),
    ...(typeof orderid === 'string' ? [] : ['--orderid']),
  ];
  if (missing.length > 0)
    return refuse(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} required`);
  io.out(
    signedQueryUrl({
      url: signTargetUrl(flags, file),
      token: token as string,
      orderid: orderid as string,
      openid: typeof flags.openid === 'string' ? flags.openid : 'oWxtrackSignCli0000000000000',
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: String(randomInt(1, 2 ** 47)),
      ...(typeof companyId === 'string' ? { companyId } : {}),
    }) + '\n',
  );
  return 0;
}
