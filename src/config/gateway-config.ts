/**
 * @module
 * Everything `wxtrack serve` needs, or every problem found: the carriers, the store, the replay
 * guard (Redis when a URL is given, else this process's memory), workers, and the connection and
 * abuse limits. Workers are separate processes, so more than one needs the shared guard.
 */
import type { Carrier } from '../carrier/carrier.js';
import { guardCapacity } from '../guard/guard-capacity.js';
import { parseCidr } from '../http/client-address.js';
import { DEFAULT_CALLBACK } from '../protocol/jsonp.js';
import type { FileConfig } from './config-file.js';
import { CARRIER_FLAGS, configPathSetting, loadCarrierSettings, loadConfigFile } from './carrier-settings.js';
import { storeConfigOf, type StoreConfig } from './store-settings.js';
import {
  DEFAULTS,
  ENV,
  integer,
  pick,
  PROCESS_ENV,
  readText,
  redactUrl,
  type Env,
  type Flags,
  type Loaded,
  type ReadText,
} from './settings.js';

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

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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
  env: Env = PROCESS_ENV,
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

/**
 * The demo's settings: its own carrier from `flags`, whatever configuration file WXTRACK_CONFIG
 * names, so an operator's file never takes over a throw-away demo.
 */
export function loadDemoConfig(flags: Flags, env: Env = PROCESS_ENV): Loaded<GatewayConfig> {
  return loadGatewayConfig(flags, { ...env, [ENV.config]: undefined });
}
