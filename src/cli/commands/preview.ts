/**
 * @module
 * `wxtrack preview`: a local page that shows a waybill as 扫一扫's landing page would, loading it
 * by JSONP from the endpoint. The token stays in this process: the page asks it for signed URLs.
 * It listens on 127.0.0.1 by default; anyone who reaches it can have queries signed, so keep it
 * local.
 */
import { DEFAULTS, type Flags } from '../../config/settings.js';
import { loadSigner } from '../../config/carrier-settings.js';
import { startPreviewServer } from '../../preview/preview-server.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const PREVIEW_DEFAULT_PORT = 8790;

export const previewCommand: Command = {
  name: 'preview',
  summary: "show a waybill as WeChat's landing page would, in a local page",
  usage: `wxtrack preview --token T [--url U] [--company-id C] [--port P] [--host H]
       wxtrack preview --config FILE [--carrier ID] [--url U] [--port P] [--host H]

  Open the printed address and enter a waybill. The page loads the reply through a real
  <script> JSONP request to --url (default http://${DEFAULTS.host}:${DEFAULTS.port}${DEFAULTS.trackPath}), as WeChat does; a reply
  WeChat's page would choke on is shown as an error, with the check that names it.
  With a configuration file, the carrier's token signs, its id is sent as company_id and its
  registered cells' links are shown. Listens on ${DEFAULTS.host}:${PREVIEW_DEFAULT_PORT} by default.`,
  options: {
    token: { type: 'string' },
    url: { type: 'string' },
    'company-id': { type: 'string' },
    config: { type: 'string' },
    carrier: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
  },
  run: async (flags: Flags, _args, io: Output) => {
    const signer = loadSigner(flags);
    if (!signer.ok) {
      io.err(`wxtrack preview: ${signer.errors.join('; ')}\n`);
      return 2;
    }
    const { carrier, token, companyId } = signer;
    const port = flags.port === undefined ? PREVIEW_DEFAULT_PORT : Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      io.err('wxtrack preview: --port must be 0 to 65535\n');
      return 2;
    }
    const endpoint =
      typeof flags.url === 'string'
        ? flags.url
        : `http://${DEFAULTS.host}:${DEFAULTS.port}${DEFAULTS.trackPath}`;
    try {
      new URL(endpoint);
    } catch {
      io.err('wxtrack preview: --url is not a URL\n');
      return 2;
    }
    const server = await startPreviewServer({
      endpoint,
      token,
      ...(companyId === undefined ? {} : { companyId }),
      ...(carrier.cells ? { cells: carrier.cells } : {}),
      port,
      host: typeof flags.host === 'string' ? flags.host : DEFAULTS.host,
    });
    io.out(`wxtrack preview: open ${server.url} (endpoint ${endpoint}); Ctrl-C stops it\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    return 0;
  },
};
