/**
 * @module
 * `wxtrack serve`: the gateway, until SIGTERM or SIGINT.
 */
import { secretFlagWarnings, type Flags } from '../../config/settings.js';
import { describeStore } from '../../config/store-settings.js';
import { loadGatewayConfig } from '../../config/gateway-config.js';
import { loadIngestConfig } from '../../config/ingest-config.js';
import { createReloader } from '../../config/reload.js';
import { onReloadSignal, startGateway, untilSignal } from '../gateway-process.js';
import { createLogger } from '../../http/logging.js';
import type { Output } from '../output.js';
import { isServeWorker, leaveCluster, reportListening, runPrimary } from '../workers.js';
import type { Command } from './command.js';
import { unservedCarriers, unservedWarning } from '../../carrier/unserved-carriers.js';

export const serveCommand: Command = {
  name: 'serve',
  summary: "serve WeChat's track queries",
  usage: `wxtrack serve [--config FILE | --token T] [--db PATH] [--port N] [--host H] [options]

  --config FILE          wxtrack.config.json with the carriers (WXTRACK_CONFIG); then the
                         carrier flags below are refused. SIGHUP reloads it.

  --token T              WeChat token (WXTRACK_TOKEN); required. Several, comma-separated,
                         verify during a rotation; the first is current.
  --db PATH|URL          the store: a SQLite file, or a postgres:// URL for PostgreSQL
                         (WXTRACK_DB, default ./data/wxtrack.db); a SQLite file must exist
                         (wxtrack init makes one)
  --create               create the SQLite database if it does not exist
  --redis URL            shared replay guard in Redis, redis://… (WXTRACK_REDIS_URL); needed
                         by --workers above 1 and by several nodes; default: in this process
  --guard-secret S       key hashing guard bindings, the same on every node; 16+ characters
                         (WXTRACK_GUARD_SECRET); required with --redis
  --owner-key K          key hashing the openids of waybill owners (privacy tiers), the same
                         on every node; 16+ characters (WXTRACK_OWNER_KEY); without it no
                         owner can be bound and every reader gets the masked reply
  --workers N            serving processes on this machine (WXTRACK_WORKERS, default 1)
  --worker-restarts N    worker deaths a minute the primary replaces; one more stops the node, exit 1
                         (WXTRACK_WORKER_RESTARTS, default 10; 0: the first death stops it)
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
  --replay-max-rate N    new signatures a second the memory replay guard holds for the whole
                         window (WXTRACK_REPLAY_MAX_RATE, default 5000: 3,005,000 entries,
                         60 MB); past it, queries get 50001 rather than a weaker guard
  --replay-max-entries N the memory guard's entries, instead of sizing it from the rate
                         (WXTRACK_REPLAY_MAX_ENTRIES)
  --log-level L          (WXTRACK_LOG_LEVEL, default info)
  --access-log           log every query, not only refusals (WXTRACK_ACCESS_LOG=1)
  --body-limit SIZE      largest POST /v1/events body (WXTRACK_BODY_LIMIT, default 10MiB)
  --event-codes FILE     carrier scan-code mapping, JSON (WXTRACK_EVENT_CODES)
  --retention-days N     purge waybills last scanned more than N days ago, at start and daily
                         (WXTRACK_RETENTION_DAYS; default: keep everything)
                         These three are the global values: a carrier's own bodyLimit,
                         eventCodes or retentionDays in the configuration file wins for it.

  Limits and metrics (see the README's Security section):
  --request-timeout S    a request must arrive whole within S seconds (WXTRACK_REQUEST_TIMEOUT, default 10)
  --idle-timeout S       close a connection silent for S seconds (WXTRACK_IDLE_TIMEOUT, default 10)
  --max-connections N    open connections at most (WXTRACK_MAX_CONNECTIONS, default 1024)
  --rate-limit N         track queries per client address per minute; 0 is off (WXTRACK_RATE_LIMIT, default 600);
                         shared by every worker and node through --redis, else counted in this process
  --trusted-proxy CIDR   a reverse proxy (nginx) whose X-Forwarded-For / X-Real-IP names the client for the
                         rate limit; repeatable or comma-separated (WXTRACK_TRUSTED_PROXY; default: none, the
                         socket address counts)
  --metrics-port N       serve Prometheus metrics on GET /metrics at this port (WXTRACK_METRICS_PORT; default: none)
  --metrics-host H       (WXTRACK_METRICS_HOST, default 127.0.0.1)

  A secret given as a flag (--token) is visible to every local user in ps: prefer
  WXTRACK_TOKEN or a configuration file's {"env": ...} / {"file": ...} token.`,
  options: {
    config: { type: 'string' },
    token: { type: 'string' },
    db: { type: 'string' },
    redis: { type: 'string' },
    'guard-secret': { type: 'string' },
    'owner-key': { type: 'string' },
    workers: { type: 'string' },
    'worker-restarts': { type: 'string' },
    create: { type: 'boolean' },
    port: { type: 'string' },
    host: { type: 'string' },
    path: { type: 'string' },
    'waybill-pattern': { type: 'string' },
    carrier: { type: 'string' },
    'carrier-name': { type: 'string' },
    timezone: { type: 'string' },
    'window-seconds': { type: 'string' },
    'replay-max-entries': { type: 'string' },
    'replay-max-rate': { type: 'string' },
    view: { type: 'string' },
    'log-level': { type: 'string' },
    'access-log': { type: 'boolean' },
    'body-limit': { type: 'string' },
    'event-codes': { type: 'string' },
    'retention-days': { type: 'string' },
    'request-timeout': { type: 'string' },
    'idle-timeout': { type: 'string' },
    'max-connections': { type: 'string' },
    'rate-limit': { type: 'string' },
    'trusted-proxy': { type: 'string', multiple: true },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string' },
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
  if (config.workers > 1 && !isServeWorker()) {
    return runPrimary(
      config,
      ingest.config,
      createLogger(config.logLevel),
      untilSignal,
      flags.create === true,
    );
  }
  // A worker leaves the retention schedule to the primary, so that one process purges, not N.
  const gateway = await startGateway(config, {
    ingest: ingest.config,
    retention: !isServeWorker(),
    createDb: flags.create === true,
  });
  for (const warning of config.warnings ?? []) gateway.logger.warn({ warning }, 'configuration warning');
  // Data stored under a carrier id nothing serves would answer 40401 in silence: name it. The
  // count reads every waybill key, so it runs after start-up, in the background, and once per
  // machine (not in each of --workers N).
  if (!isServeWorker()) {
    void gateway.store
      .countByCarrier()
      .then((stored) => {
        const unserved = unservedCarriers(
          stored,
          config.carriers.map((c) => c.id),
        );
        const dark = unservedWarning(unserved);
        if (dark !== undefined)
          gateway.logger.warn({ warning: dark, unserved }, 'stored carriers not served');
      })
      .catch((err: unknown) => gateway.logger.warn({ err }, 'could not count stored carriers'));
  }
  for (const warning of secretFlagWarnings(flags))
    gateway.logger.warn({ warning }, 'secret on the command line');
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
      store: describeStore(config.store),
      guard: config.guard.kind,
      workers: config.workers,
      carriers: config.carriers.map((c) => c.id),
      config: config.configFile,
      metrics: gateway.metricsOrigin,
    },
    'wxtrack listening',
  );
  reportListening(gateway.origin);
  const signal = await untilSignal();
  stopReloading();
  gateway.logger.info({ signal }, 'shutting down: finishing requests in flight');
  await gateway.close();
  gateway.logger.info('stopped');
  leaveCluster();
  return 0;
}
