/**
 * @module
 * The one place wxtrack reads its environment: the variables by setting, the defaults, and the
 * lookup every loader uses (flag, then variable). Everything else receives a frozen, typed config
 * from the loaders beside this file:
 *
 * - store-settings.ts: where the events live (`--db`);
 * - carrier-settings.ts: the carriers, from the configuration file or from flags;
 * - gateway-config.ts: everything `serve` needs (guard, limits, workers);
 * - ingest-config.ts: what import and the push API need.
 *
 * Precedence: command-line flag, then environment variable, then the configuration file
 * (`--config FILE` or WXTRACK_CONFIG; see config-file.ts), then default. Without a file, one
 * carrier is built from flags and variables. With one, the carriers come from the file only.
 * Loading never throws for bad input: it returns every problem, each naming its setting, so the
 * operator fixes them all in one go.
 */
import { readFileSync } from 'node:fs';

/** Environment variables, by the setting they feed. */
export const ENV = Object.freeze({
  port: 'WXTRACK_PORT',
  host: 'WXTRACK_HOST',
  db: 'WXTRACK_DB',
  token: 'WXTRACK_TOKEN',
  carrierId: 'WXTRACK_CARRIER_ID',
  carrierName: 'WXTRACK_CARRIER_NAME',
  waybillPattern: 'WXTRACK_WAYBILL_PATTERN',
  timezone: 'WXTRACK_TIMEZONE',
  trackPath: 'WXTRACK_TRACK_PATH',
  windowSeconds: 'WXTRACK_WINDOW_SECONDS',
  replayMaxEntries: 'WXTRACK_REPLAY_MAX_ENTRIES',
  replayMaxRate: 'WXTRACK_REPLAY_MAX_RATE',
  logLevel: 'WXTRACK_LOG_LEVEL',
  accessLog: 'WXTRACK_ACCESS_LOG',
  config: 'WXTRACK_CONFIG',
  redis: 'WXTRACK_REDIS_URL',
  guardSecret: 'WXTRACK_GUARD_SECRET',
  ownerKey: 'WXTRACK_OWNER_KEY',
  workers: 'WXTRACK_WORKERS',
  workerRestarts: 'WXTRACK_WORKER_RESTARTS',
  // Connection limits, abuse limits and metrics (see LIMIT_DEFAULTS).
  requestTimeout: 'WXTRACK_REQUEST_TIMEOUT',
  idleTimeout: 'WXTRACK_IDLE_TIMEOUT',
  maxConnections: 'WXTRACK_MAX_CONNECTIONS',
  rateLimit: 'WXTRACK_RATE_LIMIT',
  trustedProxy: 'WXTRACK_TRUSTED_PROXY',
  metricsHost: 'WXTRACK_METRICS_HOST',
  metricsPort: 'WXTRACK_METRICS_PORT',
  view: 'WXTRACK_VIEW',
});

export const DEFAULTS = Object.freeze({
  port: 8787,
  host: '127.0.0.1',
  db: './data/wxtrack.db',
  carrierId: 'default',
  carrierName: 'Courier',
  /** Deliberately loose: set the expression registered with WeChat. */
  waybillPattern: '[A-Za-z0-9]{6,40}',
  timezone: 'Asia/Shanghai',
  trackPath: '/wechat/track',
  windowSeconds: 300,
  workerRestarts: 10,
  /**
   * New signatures per second the memory guard must hold for its whole window; its size follows
   * (guard/guard-capacity.ts): 5,000 q/s × 601 s = 3,005,000 entries, 60 MB.
   */
  replayMaxRate: 5_000,
  logLevel: 'info',
});

/**
 * Flags whose value is a secret: visible to every local user in `ps`, so startup warns about them.
 * A location (`--db`, `--redis`) counts only when its URL carries a password.
 */
export const SECRET_FLAGS: readonly {
  readonly flag: string;
  readonly variable: string;
  readonly location?: boolean;
}[] = [
  { flag: 'token', variable: ENV.token },
  { flag: 'guard-secret', variable: ENV.guardSecret },
  { flag: 'owner-key', variable: ENV.ownerKey },
  { flag: 'db', variable: ENV.db, location: true },
  { flag: 'redis', variable: ENV.redis, location: true },
];

/** One warning per secret given as a flag, naming the variable (or file) to use instead. */
export function secretFlagWarnings(flags: Flags): string[] {
  return SECRET_FLAGS.filter(({ flag, location }) => {
    const value = flags[flag];
    return typeof value === 'string' && (!location || redactUrl(value) !== value);
  }).map(
    ({ flag, variable }) =>
      `--${flag} puts a secret on the command line, where any local user sees it (ps, /proc); ` +
      `set ${variable} or use a configuration file's {"env": ...} or {"file": ...} reference instead`,
  );
}

/** `scheme://user:secret@host/…` → `scheme://user:***@host/…`; other text unchanged. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, '$1***@');
}

export type Loaded<T> =
  { readonly ok: true; readonly config: T } | { readonly ok: false; readonly errors: string[] };

/** Flags as parsed from the command line; `undefined` when not given. */
export type Flags = Readonly<Record<string, string | boolean | undefined>>;

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads a file's text; injected so tests need no disk. */
export type ReadText = (path: string) => string;
export const readText: ReadText = (path) => readFileSync(path, 'utf8');

/** Looks a setting up: flag, then variable. */
export function pick(flags: Flags, env: Env, flag: string, variable: string): string | undefined {
  const f = flags[flag];
  if (typeof f === 'string') return f;
  const v = env[variable];
  return v === undefined || v === '' ? undefined : v;
}

export function integer(
  errors: string[],
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    errors.push(`${name}: "${raw}" is not an integer from ${min} to ${max}`);
    return fallback;
  }
  return Number(raw);
}

/** The process's environment: the default of every loader's `env`, so tests pass their own. */
export const PROCESS_ENV: Env = process.env;

/** Environment variables of ingestion (push API, import, retention). */
export const INGEST_ENV = Object.freeze({
  bodyLimit: 'WXTRACK_BODY_LIMIT',
  eventCodes: 'WXTRACK_EVENT_CODES',
  retentionDays: 'WXTRACK_RETENTION_DAYS',
  csvMap: 'WXTRACK_CSV_MAP',
});

export const INGEST_DEFAULTS = Object.freeze({
  /** 10 MiB: about 40,000 typical events, far above a sane batch. */
  bodyLimitBytes: 10 * 1024 * 1024,
});
