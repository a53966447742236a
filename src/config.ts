/**
 * @module
 * The one place wxtrack reads its environment. Everything else receives a frozen, typed config.
 *
 * Precedence: command-line flag, then environment variable, then the configuration file
 * (`--config FILE` or WXTRACK_CONFIG; see config/config-file.ts), then default. Without a file,
 * one carrier is built from flags and variables, as in the foundation. With one, the carriers come
 * from the file only. Loading never throws for bad input: it returns every problem, each naming
 * its setting, so the operator fixes them all in one go.
 */
import { readFileSync } from 'node:fs';
import { cellKeysOf, DEFAULT_TRACE_OPTIONS, type Carrier, type TraceOptions } from './carrier/carrier.js';
import { checkWaybillPattern } from './carrier/pattern-safety.js';
import { parseConfigText, type FileConfig } from './config/config-file.js';
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
  cacheMb: 'WXTRACK_CACHE_MB',
  logLevel: 'WXTRACK_LOG_LEVEL',
  accessLog: 'WXTRACK_ACCESS_LOG',
  config: 'WXTRACK_CONFIG',
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
  replayMaxEntries: 1_000_000,
  cacheMb: 512,
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
  /** No longer used: replies are served from the reply view (`view`). Still accepted. */
  readonly cacheMb: number;
  /**
   * The reply view's file (LMDB), `off`, or `undefined` for the default: `DB-view.mdb` beside a
   * SQLite file, an in-process view for `:memory:`.
   */
  readonly view?: string | undefined;
  /** pino level. */
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Log one line per query (outcome, carrier, hashed openid). Off by default: it costs throughput. */
  readonly accessLog: boolean;
  /** The configuration file the carriers came from; absent for a flags-only setup. */
  readonly configFile?: string | undefined;
  /** Legal but doubtful settings found in the file, each naming its path; absent means none. */
  readonly warnings?: readonly string[];
}

export type Loaded<T> =
  { readonly ok: true; readonly config: T } | { readonly ok: false; readonly errors: string[] };

/** Flags as parsed from the command line; `undefined` when not given. */
export type Flags = Readonly<Record<string, string | boolean | undefined>>;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads a file's text; injected so tests need no disk. */
export type ReadText = (path: string) => string;
const readText: ReadText = (path) => readFileSync(path, 'utf8');

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
  /** The carrier's registered cell keys, when a configuration file registers them: events may use no other. */
  readonly cellKeys: ReadonlySet<string> | undefined;
  /** How the carrier's replies are laid out when re-rendered. */
  readonly trace: TraceOptions;
}

export function loadImportConfig(
  flags: Flags,
  env: Env = process.env,
  read: ReadText = readText,
): Loaded<ImportConfig> {
  const errors: string[] = [];
  const file = configFileSetting(flags, env, read);
  if (file === undefined) {
    const carrierId = carrierIdSetting(flags, env, errors);
    const timezone = timezoneSetting(flags, env, errors);
    if (errors.length > 0) return { ok: false, errors };
    return {
      ok: true,
      config: Object.freeze({
        ...loadStoreConfig(flags, env),
        carrierId,
        timezone,
        cellKeys: undefined,
        trace: DEFAULT_TRACE_OPTIONS,
      }),
    };
  }
  if (!file.ok) return file;
  const carrier = pickCarrier(file.config.carriers, flags, errors);
  if (!carrier) return { ok: false, errors };
  return {
    ok: true,
    config: Object.freeze({
      dbPath: pick(flags, env, 'db', ENV.db) ?? file.config.server.db ?? DEFAULTS.db,
      carrierId: carrier.id,
      timezone: carrier.timezone,
      cellKeys: cellKeysOf(carrier),
      trace: carrier.trace ?? DEFAULT_TRACE_OPTIONS,
    }),
  };
}

/** `--carrier ID` among the file's carriers; optional when there is just one. */
function pickCarrier(carriers: readonly Carrier[], flags: Flags, errors: string[]): Carrier | undefined {
  const id = flags.carrier;
  if (typeof id !== 'string') {
    if (carriers.length === 1) return carriers[0];
    errors.push(`carrier: required with several carriers; one of ${carriers.map((c) => c.id).join(', ')}`);
    return undefined;
  }
  const found = carriers.find((c) => c.id === id);
  if (!found)
    errors.push(`carrier: "${id}" is not configured; one of ${carriers.map((c) => c.id).join(', ')}`);
  return found;
}

/** The configuration file named by `--config` or WXTRACK_CONFIG, if any. */
export function configPathSetting(flags: Flags, env: Env = process.env): string | undefined {
  return pick(flags, env, 'config', ENV.config);
}

/** Reads and validates a configuration file; secrets come from `env`. */
export function loadConfigFile(
  path: string,
  env: Env = process.env,
  read: ReadText = readText,
): Loaded<FileConfig> {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    return { ok: false, errors: [`config: cannot read ${path}: ${(err as Error).message}`] };
  }
  const parsed = parseConfigText(text, { env, readFile: read });
  return parsed.ok ? { ok: true, config: parsed.config } : { ok: false, errors: parsed.errors };
}

/** The file named by flag or variable, loaded; `undefined` when none is named. */
function configFileSetting(
  flags: Flags,
  env: Env,
  read: ReadText = readText,
): Loaded<FileConfig> | undefined {
  const path = configPathSetting(flags, env);
  return path === undefined ? undefined : loadConfigFile(path, env, read);
}

/** Flags that describe the single flag-built carrier; meaningless beside a configuration file. */
const CARRIER_FLAGS = ['token', 'waybill-pattern', 'carrier', 'carrier-name', 'timezone'] as const;

/**
 * The carriers a command works on: the file's, or the one carrier of the foundation's flags.
 * `requireToken: false` serves commands that never verify a signature (cells sheet, pattern lint).
 */
export function loadCarriers(
  flags: Flags,
  env: Env = process.env,
  options: { readonly requireToken?: boolean; readonly read?: ReadText } = {},
): Loaded<{ readonly carriers: readonly Carrier[]; readonly file: FileConfig | undefined }> {
  const errors: string[] = [];
  const file = configFileSetting(flags, env, options.read);
  if (file === undefined) {
    const carrier = loadCarrierSettings(flags, env, errors, options.requireToken ?? true);
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, config: { carriers: Object.freeze([carrier]), file: undefined } };
  }
  if (!file.ok) return file;
  return { ok: true, config: { carriers: file.config.carriers, file: file.config } };
}

/** The carrier described by flags and variables (`--token`, `WXTRACK_WAYBILL_PATTERN`, ...). */
export function loadCarrierSettings(
  flags: Flags,
  env: Env = process.env,
  errors: string[] = [],
  requireToken = true,
): Carrier {
  const tokenText = pick(flags, env, 'token', ENV.token);
  const tokens = (tokenText ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tokens.length === 0 && requireToken) {
    errors.push(`token: required; pass --token or set ${ENV.token} (the token registered with WeChat)`);
  }
  for (const [i, t] of tokens.entries()) {
    if (!TOKEN_RE.test(t)) errors.push(`token[${i}]: must be 3 to 128 printable ASCII characters`);
  }
  const id = carrierIdSetting(flags, env, errors);
  const timezone = timezoneSetting(flags, env, errors);
  const waybillPattern = pick(flags, env, 'waybill-pattern', ENV.waybillPattern) ?? DEFAULTS.waybillPattern;
  // The same safety rules as the file: a flag is no way around them.
  const checked = checkWaybillPattern(waybillPattern);
  if (!checked.ok) errors.push(`waybill-pattern: ${checked.reason}`);
  const waybillMatcher = checked.ok ? checked.matcher : /^$/;
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
export function loadGatewayConfig(
  flags: Flags,
  env: Env = process.env,
  read: ReadText = readText,
): Loaded<GatewayConfig> {
  const errors: string[] = [];
  const configFile = configPathSetting(flags, env);
  let carriers: readonly Carrier[];
  let server: FileConfig['server'] = {};
  let warnings: readonly string[] = [];
  if (configFile === undefined) {
    carriers = Object.freeze([loadCarrierSettings(flags, env, errors)]);
  } else {
    for (const flag of CARRIER_FLAGS) {
      if (flags[flag] !== undefined) errors.push(`${flag}: carriers come from ${configFile}; drop --${flag}`);
    }
    const file = loadConfigFile(configFile, env, read);
    if (!file.ok) return { ok: false, errors: [...errors, ...file.errors] };
    ({ carriers, server, warnings } = file.config);
  }
  const fromFile = (v: number | undefined) => (v === undefined ? undefined : String(v));
  // An integer server setting: flag, then variable, then the file's `server` section, then default.
  const serverInteger = (
    flag: string,
    variable: string,
    inFile: number | undefined,
    fallback: number,
    min: number,
    max: number,
  ) => integer(errors, flag, pick(flags, env, flag, variable) ?? fromFile(inFile), fallback, min, max);
  const port = serverInteger('port', ENV.port, server.port, DEFAULTS.port, 0, 65535);
  const windowSeconds = serverInteger(
    'window-seconds',
    ENV.windowSeconds,
    server.windowSeconds,
    DEFAULTS.windowSeconds,
    1,
    86_400,
  );
  const replayMaxEntries = serverInteger(
    'replay-max-entries',
    ENV.replayMaxEntries,
    server.replayMaxEntries,
    DEFAULTS.replayMaxEntries,
    1,
    100_000_000,
  );
  const cacheMb = serverInteger('cache-mb', ENV.cacheMb, server.cacheMb, DEFAULTS.cacheMb, 0, 1_048_576);
  const trackPath = pick(flags, env, 'path', ENV.trackPath) ?? server.trackPath ?? DEFAULTS.trackPath;
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(trackPath))
    errors.push(`path: "${trackPath}" must start with / and be a plain path`);
  const logLevel = pick(flags, env, 'log-level', ENV.logLevel) ?? server.logLevel ?? DEFAULTS.logLevel;
  if (!(LEVELS as readonly string[]).includes(logLevel))
    errors.push(`log-level: "${logLevel}" is not one of ${LEVELS.join(', ')}`);
  const accessVar = env[ENV.accessLog];
  const access =
    flags['access-log'] === true ||
    (accessVar !== undefined && accessVar !== ''
      ? /^(1|true|yes)$/i.test(accessVar)
      : (server.accessLog ?? false));

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: Object.freeze({
      dbPath: pick(flags, env, 'db', ENV.db) ?? server.db ?? DEFAULTS.db,
      host: pick(flags, env, 'host', ENV.host) ?? server.host ?? DEFAULTS.host,
      port,
      trackPath,
      windowSeconds,
      callbacks: Object.freeze([DEFAULT_CALLBACK]),
      carriers,
      replayMaxEntries,
      cacheMb,
      logLevel: logLevel as GatewayConfig['logLevel'],
      accessLog: access,
      view: pick(flags, env, 'view', ENV.view) ?? server.view,
      configFile,
      warnings,
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

/**
 * The demo's settings: its own carrier from `flags`, whatever configuration file WXTRACK_CONFIG
 * names, so an operator's file never takes over a throw-away demo.
 */
export function loadDemoConfig(flags: Flags, env: Env = process.env): Loaded<GatewayConfig> {
  return loadGatewayConfig(flags, { ...env, [ENV.config]: undefined });
}
