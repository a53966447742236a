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
import { guardCapacity } from './guard/guard-capacity.js';
import { parseCidr } from './http/client-address.js';
import { parseConfigText, type FileConfig, type SecretNeeds } from './config/config-file.js';
import { allPull } from './pull/pull-settings.js';
import { DEFAULT_CALLBACK } from './protocol/jsonp.js';
import { defaultEventCodes, parseEventCodeMapping, type EventCodeMapping } from './tracking/event-codes.js';
import type { WaybillRule } from './tracking/event.js';
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

/** Which store backend holds the events, and where. */
export type StoreSpec =
  /** An embedded SQLite file (or `:memory:`): one machine. */
  | { readonly kind: 'sqlite'; readonly path: string }
  /** A PostgreSQL database shared by every node. `url` may carry a password: never log it. */
  | { readonly kind: 'postgres'; readonly url: string };

/** Which replay guard remembers signatures, and where. */
export type GuardSpec =
  /** In this process: right for one serving process only. */
  | { readonly kind: 'memory'; readonly maxEntries: number }
  /**
   * In Redis, shared by every worker and node. `secret` keys the hash of each binding, so every
   * node must hold the same one; `url` may carry a password.
   */
  | { readonly kind: 'redis'; readonly url: string; readonly secret: string };
/**
 * Connection limits, abuse limits and metrics. A slow or idle client is dropped within seconds,
 * not minutes; the connection cap stays below the file-descriptor limit; the track route's
 * per-client budget bounds what one address can cost us.
 */
export const LIMIT_DEFAULTS = Object.freeze({
  /** The whole request (head and body) must arrive within this, seconds. */
  requestTimeoutSeconds: 10,
  /** A socket silent this long is closed, seconds; an idle keep-alive socket sooner (5 s at most). */
  idleTimeoutSeconds: 10,
  /** Open client connections at most; beyond it the oldest idle one makes room, or the new one is refused. */
  maxConnections: 1024,
  /** Track queries per client address per minute; 0 turns the limit off. */
  rateLimitPerMinute: 600,
  /** Interface of the metrics listener: loopback, never public beside the track route. */
  metricsHost: '127.0.0.1',
});

/** The settings of LIMIT_DEFAULTS, resolved. */
export interface LimitsConfig {
  readonly requestTimeoutMs: number;
  readonly idleTimeoutMs: number;
  readonly maxConnections: number;
  /** Track queries per client address per minute; 0 means no limit. */
  readonly rateLimitPerMinute: number;
  /**
   * Addresses or CIDR ranges of the reverse proxies whose X-Forwarded-For / X-Real-IP name the
   * client (http/client-address.ts); absent: the socket's address is the client's.
   */
  readonly trustedProxies?: readonly string[];
  /** Where `GET /metrics` listens; absent: no metrics listener. */
  readonly metrics?: { readonly host: string; readonly port: number } | undefined;
}

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

/** Where the events live. */
export interface StoreConfig {
  readonly store: StoreSpec;
}

/** A `--db` value: a postgres:// (or postgresql://) URL names PostgreSQL, anything else a SQLite file. */
export function storeSpecOf(db: string): StoreSpec {
  return /^postgres(ql)?:\/\//i.test(db) ? { kind: 'postgres', url: db } : { kind: 'sqlite', path: db };
}

/** A location with any password masked, for logs and messages. */
export function describeStore(spec: StoreSpec): string {
  return spec.kind === 'sqlite' ? spec.path : redactUrl(spec.url);
}

/** `scheme://user:secret@host/…` → `scheme://user:***@host/…`; other text unchanged. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^/@]*@/i, '$1***@');
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
  /** The replay guard's backend. */
  readonly guard: GuardSpec;
  /**
   * Key of the hash that stores waybill owners' openids (privacy/openid-hash.ts); the same on every
   * node. Absent: no owner can be bound, every reader gets the masked reply (fail closed).
   */
  readonly ownerKey?: string | undefined;
  /** Serving processes on this machine; more than 1 needs a shared (Redis) guard. */
  readonly workers: number;
  /**
   * Worker deaths in any minute that the primary of `--workers` replaces; one more and it stops
   * every worker and exits 1 (see cli/workers.ts). 0: the first death stops the node.
   */
  readonly workerRestarts: number;
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
  /** Connection limits, abuse limits and metrics; LIMIT_DEFAULTS when left out. */
  readonly limits?: LimitsConfig;
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

/**
 * The store of any command that opens the database, resolved the same way everywhere: `--db`,
 * then WXTRACK_DB, then the configuration file's `server.db` (when `--config` or WXTRACK_CONFIG
 * names one), then the default.
 */
export function loadStoreConfig(
  flags: Flags,
  env: Env = process.env,
  read: ReadText = readText,
): Loaded<StoreConfig> {
  const direct = pick(flags, env, 'db', ENV.db);
  if (direct !== undefined) return { ok: true, config: Object.freeze({ store: storeSpecOf(direct) }) };
  const file = configFileSetting(flags, env, read, NO_TOKENS);
  if (file !== undefined && !file.ok) return file;
  return { ok: true, config: storeConfigOf(flags, env, file?.config) };
}

/**
 * The store and an optional carrier scope, for commands that work on several carriers' data at
 * once unless told one (`keys list`, `keys revoke`): `--carrier` (or, without a file,
 * WXTRACK_CARRIER_ID) must name a configured carrier; no carrier's token is resolved.
 */
export function loadStoreScope(
  flags: Flags,
  env: Env = process.env,
  read: ReadText = readText,
): Loaded<StoreConfig & { readonly carrier: string | undefined }> {
  const errors: string[] = [];
  const file = configFileSetting(flags, env, read, NO_TOKENS);
  if (file !== undefined && !file.ok) return file;
  let carrier: string | undefined;
  if (file === undefined) {
    carrier = pick(flags, env, 'carrier', ENV.carrierId);
    if (carrier !== undefined) carrierIdSetting(flags, env, errors);
  } else if (typeof flags.carrier === 'string') {
    carrier = pickCarrier(file.config.carriers, flags, errors)?.id;
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: Object.freeze({ ...storeConfigOf(flags, env, file?.config), carrier }) };
}

/** The store from `--db`, else WXTRACK_DB, else the default: for `init`, which writes the file. */
export function loadDbSetting(flags: Flags, env: Env = process.env): StoreSpec {
  return storeSpecOf(pick(flags, env, 'db', ENV.db) ?? DEFAULTS.db);
}

/** The store from flag, variable, an already loaded file, or the default. */
function storeConfigOf(flags: Flags, env: Env, file: FileConfig | undefined): StoreConfig {
  // Pull mode: when every carrier answers from its upstream, no store of events is needed; an
  // empty in-memory one stands in unless a database is named.
  const pullOnly = file !== undefined && allPull(file.carriers);
  const db = pick(flags, env, 'db', ENV.db) ?? file?.server.db ?? (pullOnly ? ':memory:' : DEFAULTS.db);
  return Object.freeze({ store: storeSpecOf(db) });
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
  /**
   * The carrier's waybill pattern, as `serve` would apply it (the file's, else `--waybill-pattern`,
   * WXTRACK_WAYBILL_PATTERN or the default): records for other numbers are rejected, since WeChat
   * would never be shown them.
   */
  readonly waybill: WaybillRule;
}

export function loadImportConfig(
  flags: Flags,
  env: Env = process.env,
  read: ReadText = readText,
): Loaded<ImportConfig> {
  const errors: string[] = [];
  // Import and keys verify no signature: no carrier's token is needed, nor the guard's secrets.
  const file = configFileSetting(flags, env, read, NO_TOKENS);
  if (file === undefined) {
    const carrierId = carrierIdSetting(flags, env, errors);
    const timezone = timezoneSetting(flags, env, errors);
    const pattern = pick(flags, env, 'waybill-pattern', ENV.waybillPattern) ?? DEFAULTS.waybillPattern;
    const checked = checkWaybillPattern(pattern);
    if (!checked.ok) errors.push(`waybill-pattern: ${checked.reason}`);
    if (errors.length > 0 || !checked.ok) return { ok: false, errors };
    return {
      ok: true,
      config: Object.freeze({
        ...storeConfigOf(flags, env, undefined),
        carrierId,
        timezone,
        cellKeys: undefined,
        trace: DEFAULT_TRACE_OPTIONS,
        waybill: { pattern, matcher: checked.matcher },
      }),
    };
  }
  if (!file.ok) return file;
  const carrier = pickCarrier(file.config.carriers, flags, errors);
  if (!carrier) return { ok: false, errors };
  return {
    ok: true,
    config: Object.freeze({
      ...storeConfigOf(flags, env, file.config),
      carrierId: carrier.id,
      timezone: carrier.timezone,
      cellKeys: cellKeysOf(carrier),
      trace: carrier.trace ?? DEFAULT_TRACE_OPTIONS,
      waybill: { pattern: carrier.waybillPattern, matcher: carrier.waybillMatcher },
    }),
  };
}

/** `--carrier ID` among the file's carriers; optional when there is just one. */
function pickCarrier(carriers: readonly Carrier[], flags: Flags, errors: string[]): Carrier | undefined {
  const id = flags.carrier;
  if (typeof id !== 'string') {
    if (carriers.length === 1) return carriers[0];
    errors.push(`--carrier is required; one of ${carriers.map((c) => c.id).join(', ')}`);
    return undefined;
  }
  const found = carriers.find((c) => c.id === id);
  if (!found) {
    const sameLetters = carriers.find((c) => c.id.toLowerCase() === id.toLowerCase());
    errors.push(
      sameLetters
        ? `--carrier "${id}" is not configured (ids are case-sensitive: did you mean "${sameLetters.id}"?)`
        : `--carrier "${id}" is not configured; one of ${carriers.map((c) => c.id).join(', ')}`,
    );
  }
  return found;
}

/** The configuration file named by `--config` or WXTRACK_CONFIG, if any. */
export function configPathSetting(flags: Flags, env: Env = process.env): string | undefined {
  return pick(flags, env, 'config', ENV.config);
}

/** For commands that open the store but verify no signature. */
const NO_TOKENS: SecretNeeds = Object.freeze({ tokensOf: () => false, guard: false });

/**
 * Reads and validates a configuration file; secrets come from `env`, and only those `need` names
 * (default: all).
 */
export function loadConfigFile(
  path: string,
  env: Env = process.env,
  read: ReadText = readText,
  need?: SecretNeeds,
): Loaded<FileConfig> {
  let text: string;
  try {
    text = read(path);
  } catch (err) {
    return { ok: false, errors: [`config: cannot read ${path}: ${(err as Error).message}`] };
  }
  const parsed = parseConfigText(text, { env, readFile: read, ...(need ? { need } : {}) });
  return parsed.ok ? { ok: true, config: parsed.config } : { ok: false, errors: parsed.errors };
}

/** The file named by flag or variable, loaded; `undefined` when none is named. */
function configFileSetting(
  flags: Flags,
  env: Env,
  read: ReadText = readText,
  need?: SecretNeeds,
): Loaded<FileConfig> | undefined {
  const path = configPathSetting(flags, env);
  return path === undefined ? undefined : loadConfigFile(path, env, read, need);
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
  // Without a token to verify, no carrier's token is resolved, so none has to be set.
  const file = configFileSetting(
    flags,
    env,
    options.read,
    options.requireToken === false ? NO_TOKENS : undefined,
  );
  if (file === undefined) {
    const carrier = loadCarrierSettings(flags, env, errors, options.requireToken ?? true);
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, config: { carriers: Object.freeze([carrier]), file: undefined } };
  }
  if (!file.ok) return file;
  return { ok: true, config: { carriers: file.config.carriers, file: file.config } };
}

/**
 * The one carrier a command works on (sign, check, preview, cells sheet, apply): from the file
 * that `--config` or WXTRACK_CONFIG names, `--carrier` among its carriers (optional when there is
 * one), with only that carrier's tokens resolved; without a file, the carrier of the flags and
 * variables (`--token` or WXTRACK_TOKEN, ...). `token: false` resolves no token at all.
 */
export function loadOneCarrier(
  flags: Flags,
  env: Env = process.env,
  options: { readonly token: boolean; readonly read?: ReadText },
): Loaded<{ readonly carrier: Carrier; readonly index: number; readonly file: FileConfig | undefined }> {
  const errors: string[] = [];
  // First without tokens, to choose the carrier; then with that carrier's tokens alone.
  const file = configFileSetting(flags, env, options.read, NO_TOKENS);
  if (file === undefined) {
    const carrier = loadCarrierSettings(flags, env, errors, options.token);
    if (errors.length > 0) return { ok: false, errors };
    return { ok: true, config: { carrier, index: 0, file: undefined } };
  }
  if (!file.ok) return file;
  const picked = pickCarrier(file.config.carriers, flags, errors);
  if (!picked) return { ok: false, errors };
  const index = file.config.carriers.indexOf(picked);
  if (!options.token) return { ok: true, config: { carrier: picked, index, file: file.config } };
  const withToken = configFileSetting(flags, env, options.read, {
    tokensOf: (id) => id === picked.id,
    guard: false,
  })!;
  if (!withToken.ok) return withToken;
  const carrier = withToken.config.carriers[index]!;
  if (carrier.tokens.length === 0) {
    return { ok: false, errors: [`carrier ${carrier.id}: no token available (see wxtrack config check)`] };
  }
  return { ok: true, config: { carrier, index, file: withToken.config } };
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

/** An integer server setting: flag, then variable, then the file's `server` section, then default. */
type ServerInteger = (
  flag: string,
  variable: string,
  inFile: number | undefined,
  fallback: number,
  min: number,
  max: number,
) => number;

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
  let file: FileConfig | undefined;
  let warnings: readonly string[] = [];
  if (configFile === undefined) {
    carriers = Object.freeze([loadCarrierSettings(flags, env, errors)]);
  } else {
    for (const flag of CARRIER_FLAGS) {
      if (flags[flag] !== undefined) errors.push(`${flag}: carriers come from ${configFile}; drop --${flag}`);
    }
    const loaded = loadConfigFile(configFile, env, read);
    if (!loaded.ok) return { ok: false, errors: [...errors, ...loaded.errors] };
    file = loaded.config;
    ({ carriers, server, warnings } = file);
  }
  const fromFile = (v: number | undefined) => (v === undefined ? undefined : String(v));
  // An integer server setting: flag, then variable, then the file's `server` section, then default.
  const serverInteger: ServerInteger = (flag, variable, inFile, fallback, min, max) =>
    integer(errors, flag, pick(flags, env, flag, variable) ?? fromFile(inFile), fallback, min, max);
  const port = serverInteger('port', ENV.port, server.port, DEFAULTS.port, 0, 65535);
  const windowSeconds = serverInteger(
    'window-seconds',
    ENV.windowSeconds,
    server.windowSeconds,
    DEFAULTS.windowSeconds,
    1,
    86_400,
  );
  const replayMaxRate = serverInteger(
    'replay-max-rate',
    ENV.replayMaxRate,
    server.replayMaxRate,
    DEFAULTS.replayMaxRate,
    1,
    1_000_000,
  );
  // An explicit entry count wins; otherwise the guard is sized to hold `replayMaxRate` new
  // signatures a second for the whole life of an entry.
  const replayMaxEntries = serverInteger(
    'replay-max-entries',
    ENV.replayMaxEntries,
    server.replayMaxEntries,
    guardCapacity({ windowSeconds, maxRate: replayMaxRate }),
    1,
    100_000_000,
  );
  const workers = serverInteger('workers', ENV.workers, server.workers, 1, 1, 64);
  const workerRestarts = serverInteger(
    'worker-restarts',
    ENV.workerRestarts,
    server.workerRestarts,
    DEFAULTS.workerRestarts,
    0,
    10_000,
  );
  const guard = guardSetting(flags, env, server, replayMaxEntries, errors);
  // Workers are separate processes: a guard in one process's memory would let a signature bound
  // on one worker be replayed, for another parcel, on the next.
  if (workers > 1 && guard.kind === 'memory') {
    errors.push(
      `workers: ${workers} processes need a shared replay guard; set --redis (${ENV.redis}) or use --workers 1`,
    );
  }
  const ownerKey = pick(flags, env, 'owner-key', ENV.ownerKey) ?? server.ownerKey;
  if (ownerKey !== undefined && !GUARD_SECRET_RE.test(ownerKey))
    errors.push('owner-key: must be 16 to 256 printable ASCII characters');
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

  const limits = withTrustedProxies(
    limitsSetting(serverInteger, (flag, variable) => pick(flags, env, flag, variable), server),
    trustedProxySetting(flags, env, server, errors),
  );

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: Object.freeze({
      ...storeConfigOf(flags, env, file),
      host: pick(flags, env, 'host', ENV.host) ?? server.host ?? DEFAULTS.host,
      port,
      trackPath,
      windowSeconds,
      callbacks: Object.freeze([DEFAULT_CALLBACK]),
      carriers,
      guard,
      ...(ownerKey === undefined ? {} : { ownerKey }),
      workers,
      workerRestarts,
      logLevel: logLevel as GatewayConfig['logLevel'],
      accessLog: access,
      view: pick(flags, env, 'view', ENV.view) ?? server.view,
      configFile,
      warnings,
      limits,
    }),
  };
}

/** At least this long: the guard secret is a key, not a password to remember. */
const GUARD_SECRET_RE = /^[\x21-\x7e]{16,256}$/;

/** The replay guard: Redis when a URL is given (flag, variable, file), else this process's memory. */
function guardSetting(
  flags: Flags,
  env: Env,
  server: FileConfig['server'],
  maxEntries: number,
  errors: string[],
): GuardSpec {
  const url = pick(flags, env, 'redis', ENV.redis) ?? server.redis;
  const secret = pick(flags, env, 'guard-secret', ENV.guardSecret) ?? server.guardSecret;
  if (url === undefined) {
    if (secret !== undefined) errors.push(`guard-secret: only used with --redis (${ENV.redis})`);
    return Object.freeze({ kind: 'memory', maxEntries });
  }
  if (!/^rediss?:\/\//i.test(url))
    errors.push(`redis: "${redactUrl(url)}" is not a redis:// or rediss:// URL`);
  if (secret === undefined) {
    errors.push(
      `guard-secret: required with --redis; set ${ENV.guardSecret} (or server.guardSecret) to the same random string of 16 or more characters on every node`,
    );
  } else if (!GUARD_SECRET_RE.test(secret)) {
    errors.push('guard-secret: must be 16 to 256 printable ASCII characters');
  }
  return Object.freeze({ kind: 'redis', url, secret: secret ?? '' });
}

/** The LIMIT_DEFAULTS settings: flag, variable, the file's `server` section, default. */
function limitsSetting(
  serverInteger: ServerInteger,
  text: (flag: string, variable: string) => string | undefined,
  server: FileConfig['server'],
): LimitsConfig {
  const d = LIMIT_DEFAULTS;
  const requestTimeoutSeconds = serverInteger(
    'request-timeout',
    ENV.requestTimeout,
    server.requestTimeoutSeconds,
    d.requestTimeoutSeconds,
    1,
    600,
  );
  const idleTimeoutSeconds = serverInteger(
    'idle-timeout',
    ENV.idleTimeout,
    server.idleTimeoutSeconds,
    d.idleTimeoutSeconds,
    1,
    600,
  );
  const maxConnections = serverInteger(
    'max-connections',
    ENV.maxConnections,
    server.maxConnections,
    d.maxConnections,
    1,
    1_000_000,
  );
  const rateLimitPerMinute = serverInteger(
    'rate-limit',
    ENV.rateLimit,
    server.rateLimitPerMinute,
    d.rateLimitPerMinute,
    0,
    10_000_000,
  );
  const portText = text('metrics-port', ENV.metricsPort);
  const metricsPort =
    portText === undefined && server.metricsPort === undefined
      ? undefined
      : serverInteger('metrics-port', ENV.metricsPort, server.metricsPort, 0, 0, 65535);
  const metricsHost = text('metrics-host', ENV.metricsHost) ?? server.metricsHost ?? d.metricsHost;
  return Object.freeze({
    requestTimeoutMs: requestTimeoutSeconds * 1000,
    idleTimeoutMs: idleTimeoutSeconds * 1000,
    maxConnections,
    rateLimitPerMinute,
    metrics: metricsPort === undefined ? undefined : Object.freeze({ host: metricsHost, port: metricsPort }),
  });
}

/**
 * `--trusted-proxy CIDR` (repeatable, or comma-separated), else WXTRACK_TRUSTED_PROXY (comma- or
 * space-separated), else the file's `server.trustedProxies`. Each entry an address or CIDR range.
 */
function trustedProxySetting(
  flags: Flags,
  env: Env,
  server: FileConfig['server'],
  errors: string[],
): readonly string[] {
  const flag = (flags as Record<string, unknown>)['trusted-proxy'];
  const fromFlags = Array.isArray(flag) ? (flag as string[]) : typeof flag === 'string' ? [flag] : undefined;
  const variable = env[ENV.trustedProxy];
  const texts =
    fromFlags ?? (variable !== undefined && variable !== '' ? [variable] : (server.trustedProxies ?? []));
  const entries = texts.flatMap((t) => t.split(/[\s,]+/)).filter((e) => e !== '');
  for (const entry of entries)
    if (parseCidr(entry) === undefined)
      errors.push(`trusted-proxy: "${entry}" is not an IP address or CIDR range (e.g. 10.0.0.0/8)`);
  return Object.freeze(entries);
}

function withTrustedProxies(limits: LimitsConfig, trustedProxies: readonly string[]): LimitsConfig {
  return trustedProxies.length === 0 ? limits : Object.freeze({ ...limits, trustedProxies });
}

/** The limits of a config, defaults filled in. */
export function limitsOf(config: Pick<GatewayConfig, 'limits'>): LimitsConfig {
  return (
    config.limits ?? {
      requestTimeoutMs: LIMIT_DEFAULTS.requestTimeoutSeconds * 1000,
      idleTimeoutMs: LIMIT_DEFAULTS.idleTimeoutSeconds * 1000,
      maxConnections: LIMIT_DEFAULTS.maxConnections,
      rateLimitPerMinute: LIMIT_DEFAULTS.rateLimitPerMinute,
    }
  );
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

/**
 * Where `wxtrack sign` points its URL: `--url`, else the gateway's own address built the way
 * `serve` builds it (`--path`, WXTRACK_TRACK_PATH, the file's `trackPath`, the default; the
 * same for host and port), so a signed URL follows a moved route.
 */
export function signTargetUrl(flags: Flags, file: FileConfig | undefined, env: Env = process.env): string {
  if (typeof flags.url === 'string') return flags.url;
  const server = file?.server ?? {};
  const host = pick(flags, env, 'host', ENV.host) ?? server.host ?? DEFAULTS.host;
  const port = pick(flags, env, 'port', ENV.port) ?? String(server.port ?? DEFAULTS.port);
  const path = pick(flags, env, 'path', ENV.trackPath) ?? server.trackPath ?? DEFAULTS.trackPath;
  // A gateway listening on every interface is reached here through the loopback.
  const reach = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${reach}:${port}${path.startsWith('/') ? path : `/${path}`}`;
}

/**
 * The token that signs, and the company_id sent, as sign, check and preview find them: --token,
 * else the configuration file (--config or WXTRACK_CONFIG) and its --carrier, with only that
 * carrier's token resolved, else WXTRACK_TOKEN. --company-id overrides the file's carrier id.
 */
export function loadSigner(
  flags: Flags,
  env: Env = process.env,
):
  | { ok: true; token: string; companyId: string | undefined; carrier: Carrier; file: FileConfig | undefined }
  | { ok: false; errors: string[] } {
  const given = typeof flags['company-id'] === 'string' ? flags['company-id'] : undefined;
  const flagToken = typeof flags.token === 'string' && flags.token !== '' ? flags.token : undefined;
  if (flagToken !== undefined) {
    // The flag's token signs for whoever holds it: no file is read, --company-id alone is sent.
    if (typeof flags.carrier === 'string') {
      return {
        ok: false,
        errors: ['--carrier picks a carrier of the configuration file; with --token, use --company-id'],
      };
    }
    const loaded = loadOneCarrier({ token: flagToken }, {}, { token: true });
    if (!loaded.ok) return loaded;
    return { ok: true, token: flagToken, companyId: given, carrier: loaded.config.carrier, file: undefined };
  }
  const configPath = configPathSetting(flags, env);
  if (configPath === undefined && typeof flags.carrier === 'string') {
    return {
      ok: false,
      errors: [
        `--carrier ${flags.carrier} needs a configuration file (--config FILE or ${ENV.config}); ` +
          'without one, --company-id sets company_id',
      ],
    };
  }
  if (configPath === undefined && !env[ENV.token]) {
    return {
      ok: false,
      errors: [`--token, a configuration file (--config FILE or ${ENV.config}) or ${ENV.token} is required`],
    };
  }
  const loaded = loadOneCarrier(flags, env, { token: true });
  if (!loaded.ok) return loaded;
  const { carrier, file } = loaded.config;
  return {
    ok: true,
    token: carrier.tokens[0]!,
    companyId: given ?? (file ? carrier.id : undefined),
    carrier,
    file,
  };
}
