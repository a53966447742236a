/**
 * @module
 * The one place wxtrack reads its environment. Everything else receives a frozen, typed config.
 *
 * Precedence: command-line flag, then environment variable, then default. Loading never throws
 * for bad input: it returns every problem, each naming its setting, so the operator fixes them
 * all in one go.
 */
import { readFileSync } from 'node:fs';
import { compileWaybillPattern, type Carrier } from './carrier/carrier.js';
import { DEFAULT_CALLBACK } from './protocol/jsonp.js';
import { defaultEventCodes, parseEventCodeMapping, type EventCodeMapping } from './tracking/event-codes.js';
import { isValidTimeZone } from './tracking/time.js';

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
  logLevel: 'WXTRACK_LOG_LEVEL',
  accessLog: 'WXTRACK_ACCESS_LOG',
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
  replayMaxEntries: 1_000_000,
  logLevel: 'info',
});

/** Where the events live. */
export interface StoreConfig {
  /** SQLite database file. */
  readonly dbPath: string;
}

/** Everything `wxtrack serve` needs. */
export interface GatewayConfig extends StoreConfig {
  /** Interface to listen on. */
  readonly host: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Path of WeChat's query route. */
  readonly trackPath: string;
  /** Accepted distance between a query's timestamp and our clock, seconds, either way. */
  readonly windowSeconds: number;
  /** Callback names a query may use. The spec knows one: `WxOrderCb`. */
  readonly callbacks: readonly string[];
  /** The carriers served; at least one. */
  readonly carriers: readonly Carrier[];
  /** Bound on the in-memory replay guard. */
  readonly replayMaxEntries: number;
  /** pino level. */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Log one line per query (outcome, carrier, hashed openid). Off by default: it costs throughput. */
  readonly accessLog: boolean;
}

export type Loaded<T> =
  { readonly ok: true; readonly config: T } | { readonly ok: false; readonly errors: string[] };

/** Flags as parsed from the command line; `undefined` when not given. */
export type Flags = Readonly<Record<string, string | boolean | undefined>>;

type Env = Readonly<Record<string, string | undefined>>;

/** Looks a setting up: flag, then variable. */
function pick(flags: Flags, env: Env, flag: string, variable: string): string | undefined {
  const f = flags[flag];
  if (typeof f === 'string') return f;
  const v = env[variable];
  return v === undefined || v === '' ? undefined : v;
}

function integer(
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

const TOKEN_RE = /^[\x21-\x7e]{3,128}$/;
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The storage settings of any command that opens the database. */
export function loadStoreConfig(flags: Flags, env: Env = process.env): StoreConfig {
  return Object.freeze({ dbPath: pick(flags, env, 'db', ENV.db) ?? DEFAULTS.db });
}

function carrierIdSetting(flags: Flags, env: Env, errors: string[]): string {
  const id = pick(flags, env, 'carrier', ENV.carrierId) ?? DEFAULTS.carrierId;
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) errors.push(`carrier: "${id}" must be 1 to 32 of A-Z a-z 0-9 _ -`);
  return id;
}

function timezoneSetting(flags: Flags, env: Env, errors: string[]): string {
  const timezone = pick(flags, env, 'timezone', ENV.timezone) ?? DEFAULTS.timezone;
  if (!isValidTimeZone(timezone)) errors.push(`timezone: "${timezone}" is not an IANA time zone`);
  return timezone;
}

/** What `wxtrack import` needs: where to write, for which carrier, and its zone. */
export interface ImportConfig extends StoreConfig {
  /** Carrier the events belong to. */
  readonly carrierId: string;
  /** Zone for event times without an offset, and for rendering. */
  readonly timezone: string;
}

export function loadImportConfig(flags: Flags, env: Env = process.env): Loaded<ImportConfig> {
  const errors: string[] = [];
  const carrierId = carrierIdSetting(flags, env, errors);
  const timezone = timezoneSetting(flags, env, errors);
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: Object.freeze({ ...loadStoreConfig(flags, env), carrierId, timezone }) };
}

/** The carrier described by flags and variables (`--token`, `WXTRACK_WAYBILL_PATTERN`, ...). */
export function loadCarrierSettings(flags: Flags, env: Env = process.env, errors: string[] = []): Carrier {
  const tokenText = pick(flags, env, 'token', ENV.token);
  const tokens = (tokenText ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tokens.length === 0) {
    errors.push(`token: required; pass --token or set ${ENV.token} (the token registered with WeChat)`);
  }
  for (const [i, t] of tokens.entries()) {
    if (!TOKEN_RE.test(t)) errors.push(`token[${i}]: must be 3 to 128 printable ASCII characters`);
  }
  const id = carrierIdSetting(flags, env, errors);
  const timezone = timezoneSetting(flags, env, errors);
  const waybillPattern = pick(flags, env, 'waybill-pattern', ENV.waybillPattern) ?? DEFAULTS.waybillPattern;
  let waybillMatcher = /^$/;
  try {
    waybillMatcher = compileWaybillPattern(waybillPattern);
  } catch (err) {
    errors.push(`waybill-pattern: ${(err as Error).message}`);
  }
  return Object.freeze({
    id,
    name: pick(flags, env, 'carrier-name', ENV.carrierName) ?? DEFAULTS.carrierName,
    tokens: Object.freeze(tokens),
    waybillPattern,
    waybillMatcher,
    timezone,
  });
}

/** Everything `wxtrack serve` needs, or every problem found. */
export function loadGatewayConfig(flags: Flags, env: Env = process.env): Loaded<GatewayConfig> {
  const errors: string[] = [];
  const carrier = loadCarrierSettings(flags, env, errors);
  const port = integer(errors, 'port', pick(flags, env, 'port', ENV.port), DEFAULTS.port, 0, 65535);
  const windowSeconds = integer(
    errors,
    'window-seconds',
    pick(flags, env, 'window-seconds', ENV.windowSeconds),
    DEFAULTS.windowSeconds,
    1,
    86_400,
  );
  const replayMaxEntries = integer(
    errors,
    'replay-max-entries',
    pick(flags, env, 'replay-max-entries', ENV.replayMaxEntries),
    DEFAULTS.replayMaxEntries,
    1,
    100_000_000,
  );
  const trackPath = pick(flags, env, 'path', ENV.trackPath) ?? DEFAULTS.trackPath;
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(trackPath))
    errors.push(`path: "${trackPath}" must start with / and be a plain path`);
  const logLevel = pick(flags, env, 'log-level', ENV.logLevel) ?? DEFAULTS.logLevel;
  if (!(LEVELS as readonly string[]).includes(logLevel))
    errors.push(`log-level: "${logLevel}" is not one of ${LEVELS.join(', ')}`);
  const access = flags['access-log'] === true || /^(1|true|yes)$/i.test(env[ENV.accessLog] ?? '');

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: Object.freeze({
      ...loadStoreConfig(flags, env),
      host: pick(flags, env, 'host', ENV.host) ?? DEFAULTS.host,
      port,
      trackPath,
      windowSeconds,
      callbacks: Object.freeze([DEFAULT_CALLBACK]),
      carriers: Object.freeze([carrier]),
      replayMaxEntries,
      logLevel: logLevel as GatewayConfig['logLevel'],
      accessLog: access,
    }),
  };
}

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

/** What the push API, import and retention need beyond the gateway's settings. */
export interface IngestConfig {
  /** Largest accepted `POST /v1/events` body, bytes. */
  readonly bodyLimitBytes: number;
  /** Carrier scan codes: the defaults, or the defaults with a JSON file laid over them. */
  readonly eventCodes: EventCodeMapping;
  /** Days of history the server keeps; `undefined` keeps everything. */
  readonly retentionDays: number | undefined;
  /** CSV column names by event field, from `field=Column` pairs. */
  readonly csvMap: Readonly<Record<string, string>>;
}

/** `10485760`, `512KiB`, `10MiB` (also `k`, `m`, `KB`, `MB`, all as powers of 1024). */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+)\s*(|b|k|kb|kib|m|mb|mib)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(m[1]) * factor;
}

/** `waybill=运单号,time=扫描时间` (or several such strings, from repeated flags) to a map. */
export function parseColumnMap(texts: readonly string[], errors: string[]): Record<string, string> {
  const map: Record<string, string> = {};
  for (const text of texts) {
    for (const pair of text.split(',')) {
      if (pair.trim() === '') continue;
      const eq = pair.indexOf('=');
      const field = pair.slice(0, eq).trim();
      const column = pair.slice(eq + 1).trim();
      if (eq < 1 || field === '' || column === '') errors.push(`map: "${pair}" is not field=Column`);
      else map[field] = column;
    }
  }
  return map;
}

/**
 * Ingest settings: `--body-limit`, `--event-codes FILE`, `--retention-days`, `--map` and their
 * variables. The code mapping file is read here, so a bad one stops startup with its problems.
 */
export function loadIngestConfig(
  flags: Flags,
  env: Env = process.env,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Loaded<IngestConfig> {
  const errors: string[] = [];
  const limitText = pick(flags, env, 'body-limit', INGEST_ENV.bodyLimit);
  let bodyLimitBytes: number = INGEST_DEFAULTS.bodyLimitBytes;
  if (limitText !== undefined) {
    const n = parseByteSize(limitText);
    if (n === undefined || n < 1024 || n > 1024 ** 3) {
      errors.push(`body-limit: "${limitText}" must be from 1KiB to 1024MiB (e.g. 10MiB)`);
    } else bodyLimitBytes = n;
  }
  let eventCodes = defaultEventCodes();
  const codesPath = pick(flags, env, 'event-codes', INGEST_ENV.eventCodes);
  if (codesPath !== undefined) {
    try {
      const parsed = parseEventCodeMapping(JSON.parse(readFile(codesPath)));
      if (parsed.ok) eventCodes = new Map(parsed.mapping);
      else errors.push(...parsed.errors.map((e) => `event-codes ${codesPath}: ${e}`));
    } catch (err) {
      errors.push(`event-codes: cannot read ${codesPath}: ${(err as Error).message}`);
    }
  }
  const retentionText = pick(flags, env, 'retention-days', INGEST_ENV.retentionDays);
  const retentionDays =
    retentionText === undefined ? undefined : integer(errors, 'retention-days', retentionText, 0, 1, 36_500);
  const mapFlag = flags['map'] as unknown;
  const mapTexts = Array.isArray(mapFlag)
    ? (mapFlag as string[])
    : typeof mapFlag === 'string'
      ? [mapFlag]
      : env[INGEST_ENV.csvMap]
        ? [env[INGEST_ENV.csvMap]!]
        : [];
  const csvMap = parseColumnMap(mapTexts, errors);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: Object.freeze({ bodyLimitBytes, eventCodes, retentionDays, csvMap: Object.freeze(csvMap) }),
  };
}
