/**
 * @module
 * `wxtrack serve`: the gateway, until SIGTERM or SIGINT.
 */
import { loadGatewayConfig, loadIngestConfig, type Flags } from '../../config.js';
import { createReloader } from '../../config/reload.js';
import { onReloadSignal, startGateway, untilSignal } from '../gateway-process.js';
import type { Output } from '../output.js';
import type { Command } from './command.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: "serve WeChat's track queries",
  usage: `wxtrack serve [--config FILE | --token T] [--db PATH] [--port N] [--host H] [options]

  --config FILE          wxtrack.config.json with the carriers (WXTRACK_CONFIG); then the
                         carrier flags below are refused. SIGHUP reloads it.

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
  --view PATH|off        reply view file, shared by every process serving the database
                         (WXTRACK_VIEW, default DB-view.mdb beside the SQLite file); off reads
                         the store on every query
  --cache-mb N           no longer used: replies come from the reply view (WXTRACK_CACHE_MB)
  --replay-max-entries N replay guard bound (WXTRACK_REPLAY_MAX_ENTRIES, default 1000000)
  --log-level L          (WXTRACK_LOG_LEVEL, default info)
  --access-log           log every query, not only refusals (WXTRACK_ACCESS_LOG=1)
  --body-limit SIZE      largest POST /v1/events body (WXTRACK_BODY_LIMIT, default 10MiB)
  --event-codes FILE     carrier scan-code mapping, JSON (WXTRACK_EVENT_CODES)
  --retention-days N     purge waybills last scanned more than N days ago, at start and daily
                         (WXTRACK_RETENTION_DAYS; default: keep everything)`,
  options: {
    config: { type: 'string' },
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
    'cache-mb': { type: 'string' },
    view: { type: 'string' },
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
  const gateway = await startGateway(config, { ingest: ingest.config });
  for (const warning of config.warnings ?? []) gateway.logger.warn({ warning }, 'configuration warning');
  const reload = createReloader({
    load: () => loadGatewayConfig(flags),
    carriers: gateway.carriers,
    running: config,
    log: gateway.logger,
  });
  const stopReloading = onReloadSignal(() => void reload());
  gateway.logger.info(
    {
      origin: gateway.origin,
      path: config.trackPath,
      db: config.dbPath,
      carriers: config.carriers.map((c) => c.id),
      config: config.configFile,
    },
    'wxtrack listening',
  );
  const signal = await untilSignal();
  stopReloading();
  gateway.logger.info({ signal }, 'shutting down: finishing requests in flight');
  await gateway.close();
  gateway.logger.info('stopped');
  return 0;
}
