/**
 * @module
 * `wxtrack serve`: the gateway, until SIGTERM or SIGINT.
 */
import { loadGatewayConfig, loadIngestConfig, type Flags } from '../../config.js';
import { startGateway, untilSignal } from '../gateway-process.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: "serve WeChat's track queries",
  usage: `wxtrack serve [--token T] [--db PATH] [--port N] [--host H] [options]

  --token T              WeChat token (WXTRACK_TOKEN); required. Several, comma-separated,
                         verify during a rotation; the first is current.
  --db PATH              SQLite database (WXTRACK_DB, default ./data/wxtrack.db)
  --port N               (WXTRACK_PORT, default 8787)
  --host H               (WXTRACK_HOST, default 127.0.0.1)
  --path P               query route (WXTRACK_TRACK_PATH, default /wechat/track)
  --waybill-pattern RE   registered waybill regex (WXTRACK_WAYBILL_PATTERN)
  --carrier ID           carrier id / company_id (WXTRACK_CARRIER_ID, default "default")
  --timezone TZ          (WXTRACK_TIMEZONE, default Asia/Shanghai)
  --window-seconds N     accepted timestamp skew (WXTRACK_WINDOW_SECONDS, default 300)
  --log-level L          (WXTRACK_LOG_LEVEL, default info)
  --access-log           log every query, not only refusals (WXTRACK_ACCESS_LOG=1)
  --body-limit SIZE      largest POST /v1/events body (WXTRACK_BODY_LIMIT, default 10MiB)
  --event-codes FILE     carrier scan-code mapping, JSON (WXTRACK_EVENT_CODES)
  --retention-days N     purge waybills last scanned more than N days ago, at start and daily
                         (WXTRACK_RETENTION_DAYS; default: keep everything)`,
  options: {
    token: { type: 'string' },
    db: { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    path: { type: 'string' },
    'waybill-pattern': { type: 'string' },
    carrier: { type: 'string' },
    'carrier-name': { type: 'string' },
    timezone: { type: 'string' },
    'window-seconds': { type: 'string' },
    'replay-max-entries': { type: 'string' },
    'log-level': { type: 'string' },
    'access-log': { type: 'boolean' },
    'body-limit': { type: 'string' },
    'event-codes': { type: 'string' },
    'retention-days': { type: 'string' },
  },
  run: (flags, _args, io) => runServe(flags, io),
};

export async function runServe(flags: Flags, io: Output): Promise<number> {
  const loaded = loadGatewayConfig(flags);
  const ingest = loadIngestConfig(flags);
  if (!loaded.ok || !ingest.ok) {
    const errors = [...(loaded.ok ? [] : loaded.errors), ...(ingest.ok ? [] : ingest.errors)];
    io.err(`wxtrack serve: refusing to start:\n${errors.map((e) => `  - ${e}\n`).join('')}`);
    return 2;
  }
  const config = loaded.config;
  const gateway = await startGateway(config, undefined, ingest.config);
  gateway.logger.info(
    {
      origin: gateway.origin,
      path: config.trackPath,
      db: config.dbPath,
      carriers: config.carriers.map((c) => c.id),
    },
    'wxtrack listening',
  );
  const signal = await untilSignal();
  gateway.logger.info({ signal }, 'shutting down: finishing requests in flight');
  await gateway.close();
  gateway.logger.info('stopped');
  return 0;
}
