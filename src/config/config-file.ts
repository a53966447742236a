/**
 * @module
 * `wxtrack.config.json`: read, validated and turned into frozen carriers. JSON was chosen over
 * YAML because Node parses it without a dependency, every editor validates it against the
 * published schema, and its strictness leaves no doubt about types (YAML's `no`, `0755`).
 *
 * Validation happens in two passes, both reported together so the operator fixes everything at
 * once:
 * 1. structure, by Ajv against {@link CONFIG_SCHEMA} (the published schema itself);
 * 2. meaning: unique carrier ids, safe waybill patterns, real time zones, environment variables
 *    that are set, tokens not shared between carriers, cells registered once, test waybills that
 *    match their carrier's pattern.
 *
 * No I/O here: the caller passes the file's text and the environment, so tests need neither.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import {
  DEFAULT_TRACE_OPTIONS,
  type Carrier,
  type CarrierApplication,
  type CarrierEnvironment,
  type CarrierIngest,
  type RegisteredCell,
  type TraceOptions,
} from '../carrier/carrier.js';
import { overlapExamples } from '../carrier/pattern-language.js';
import { checkWaybillPattern } from '../carrier/pattern-safety.js';
import { compilePrivacy, DEFAULT_PRIVACY, type RawPrivacy } from '../privacy/privacy-rules.js';
import { parseEventCodeMapping } from '../tracking/event-codes.js';
import { isValidTimeZone } from '../tracking/time.js';
import { BODY_LIMIT_RANGE, parseBodyLimit } from './byte-size.js';
import { describeAjvError, jsonErrorPosition } from './config-errors.js';
import { CONFIG_SCHEMA } from './config-schema.js';
import { resolveUpstream, type RawUpstream } from './upstream-config.js';

/** The default file name looked for by `wxtrack config check` without an argument. */
export const CONFIG_FILE_NAME = 'wxtrack.config.json';

/** A secret as written in the file. */
export type SecretRef = string | { readonly env: string } | { readonly file: string };

/** Where secrets come from: the environment, and a reader for secret files. Injected: no I/O here. */
export interface SecretSources {
  /** Environment variables by name. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Reads a secret file; throws when it cannot. Without it, `{"file": ...}` secrets are refused. */
  readonly readFile?: (path: string) => string;
  /**
   * The secrets a command needs, so one carrier's sheet never needs another carrier's token.
   * `tokensOf(id)` false leaves that carrier's tokens unresolved (an empty list); `guard` false
   * leaves the server's Redis URL and guard secret out. Default: everything (serve, config check).
   */
  readonly need?: SecretNeeds;
}

/** Which secrets of the file to resolve; see {@link SecretSources.need}. */
export interface SecretNeeds {
  readonly tokensOf?: (carrierId: string) => boolean;
  readonly guard?: boolean;
}

/** The `server` section: every field optional, flags and variables override it. */
export interface FileServerSettings {
  /** Interface to listen on. */
  readonly host?: string;
  /** TCP port. */
  readonly port?: number;
  /** The store: a SQLite file or a postgres:// URL; a reference until resolved. */
  readonly db?: string;
  /** redis:// URL of the shared replay guard. */
  readonly redis?: string;
  /** Key hashing replay-guard bindings in Redis. */
  readonly guardSecret?: string;
  /** Key hashing the openids of waybill owners (privacy tiers). */
  readonly ownerKey?: string;
  /** Serving processes on this machine. */
  readonly workers?: number;
  /** Worker deaths a minute the primary replaces before it stops the node. */
  readonly workerRestarts?: number;
  /** Path of WeChat's query route. */
  readonly trackPath?: string;
  /** Accepted timestamp skew, seconds. */
  readonly windowSeconds?: number;
  /** Bound on the in-memory replay guard. */
  readonly replayMaxEntries?: number;
  /** New signatures per second the memory guard is sized for. */
  readonly replayMaxRate?: number;
  /** pino level. */
  readonly logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Log one line per query. */
  readonly accessLog?: boolean;
  /** Connection and abuse limits, metrics listener (see LIMIT_DEFAULTS in config.ts). */
  readonly requestTimeoutSeconds?: number;
  readonly idleTimeoutSeconds?: number;
  readonly maxConnections?: number;
  readonly rateLimitPerMinute?: number;
  /** Addresses or CIDR ranges of the reverse proxies trusted to name the client. */
  readonly trustedProxies?: readonly string[];
  readonly metricsHost?: string;
  readonly metricsPort?: number;
  /** The reply view's file, or `off`. */
  readonly view?: string;
}

/** The file, validated, with secrets resolved. */
export interface FileConfig {
  /** Listening settings from the file. */
  readonly server: FileServerSettings;
  /** The carriers, frozen, in file order. */
  readonly carriers: readonly Carrier[];
  /** Where each carrier's tokens came from (`env YTO_TOKEN`, `inline`), by carrier index; never the values. */
  readonly tokenSources: readonly (readonly string[])[];
  /** Legal but doubtful settings, each naming its path. */
  readonly warnings: readonly string[];
}

export type FileLoaded =
  { readonly ok: true; readonly config: FileConfig } | { readonly ok: false; readonly errors: string[] };

interface RawCarrier {
  id: string;
  name: string;
  tokens: SecretRef[];
  waybillPattern: string;
  timezone?: string;
  trace?: Partial<TraceOptions>;
  phone?: string;
  cells?: RegisteredCell[];
  environment?: CarrierEnvironment;
  testWaybills?: string[];
  application?: CarrierApplication;
  source?: 'store' | { upstream: RawUpstream };
  privacy?: RawPrivacy;
  eventCodes?: unknown;
  retentionDays?: number;
  bodyLimit?: string | number;
}

interface RawConfig {
  server?: Omit<FileServerSettings, 'db' | 'redis' | 'guardSecret' | 'ownerKey'> & {
    db?: SecretRef;
    redis?: SecretRef;
    guardSecret?: SecretRef;
    ownerKey?: SecretRef;
  };
  carriers: RawCarrier[];
}

let validator: ValidateFunction | undefined;

/** The compiled schema; compiled once, on first use. */
function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, useDefaults: false });
    ajv.addVocabulary(['x-hint']);
    validator = ajv.compile(CONFIG_SCHEMA);
  }
  return validator;
}

/** Structural errors only: what the published schema says. */
export function schemaErrors(value: unknown): string[] {
  const check = validate();
  if (check(value)) return [];
  const out: string[] = [];
  for (const e of check.errors ?? []) {
    const text = describeAjvError(e);
    if (text !== undefined && !out.includes(text)) out.push(text);
  }
  return out;
}

/** Parses and validates the file's text; `sources` supplies the secrets it names. */
export function parseConfigText(text: string, sources: SecretSources): FileLoaded {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const message = (err as Error).message;
    const at = jsonErrorPosition(text.replace(/^\uFEFF/, ''), message);
    return { ok: false, errors: [`(file)${at ? ` ${at}` : ''}: not valid JSON: ${message}`] };
  }
  const errors = schemaErrors(value);
  // Meaning is checked too, on every part the schema found well formed, so one run lists every
  // problem (a bad cell key in one carrier and a missing token variable in another).
  if (errors.length > 0)
    return { ok: false, errors: [...errors, ...meaningErrorsDespite(value, errors, sources)] };
  return buildConfig(value as RawConfig, sources);
}

/**
 * The semantic errors of the carriers (and server section) that passed the schema, in a file
 * that did not as a whole. A part with a structural error is left out: checking its meaning
 * would mostly repeat the structural error.
 */
function meaningErrorsDespite(
  value: unknown,
  structural: readonly string[],
  sources: SecretSources,
): string[] {
  if (typeof value !== 'object' || value === null) return [];
  const raw = value as { carriers?: unknown; server?: unknown };
  if (!Array.isArray(raw.carriers)) return [];
  const broken = new Set<number>();
  for (const e of structural) {
    const m = /^carriers\[(\d+)\]/.exec(e);
    if (m) broken.add(Number(m[1]));
  }
  const serverBroken = structural.some((e) => e.startsWith('server'));
  const salvaged = {
    ...raw,
    server: serverBroken ? {} : raw.server,
    carriers: raw.carriers.map((c: unknown, i) =>
      broken.has(i) || typeof c !== 'object' || c === null ? null : c,
    ),
  } as unknown as RawConfig;
  const built = buildConfig(salvaged, sources);
  return built.ok ? [] : built.errors.filter((e) => !structural.includes(e));
}

/** What a token (or any secret of its kind) may hold. */
const SECRET_TEXT = {
  test: (v: string) => /^[\x21-\x7e]{3,128}$/.test(v),
  rule: 'hold 3 to 128 printable ASCII characters',
};
/** What an upstream credential may hold: a bearer token can be a long JWT. */
const UPSTREAM_SECRET_TEXT = {
  test: (v: string) => /^[\x21-\x7e]{1,4096}$/.test(v),
  rule: 'hold 1 to 4096 printable ASCII characters',
};
/** What a path or URL may hold. */
const LOCATION_TEXT = {
  test: (v: string) => v.length > 0 && v.length <= 2048 && ![...v].some((c) => c.charCodeAt(0) < 0x20),
  rule: 'hold 1 to 2048 characters without control characters',
};

function resolveSecret(
  ref: SecretRef,
  path: string,
  sources: SecretSources,
  errors: string[],
  text: { test(v: string): boolean; rule: string } = SECRET_TEXT,
): { value: string; source: string } | undefined {
  if (typeof ref === 'string') return { value: ref, source: 'inline' };
  let value: string | undefined;
  let where: string;
  if ('env' in ref) {
    where = `environment variable ${ref.env}`;
    value = sources.env[ref.env];
    if (value === undefined || value === '') {
      errors.push(`${path}: ${where} is not set`);
      return undefined;
    }
  } else {
    where = `secret file ${ref.file}`;
    try {
      if (!sources.readFile) throw new Error('secret files are not available here');
      value = sources.readFile(ref.file).trim();
    } catch (err) {
      errors.push(`${path}: cannot read ${where}: ${(err as Error).message}`);
      return undefined;
    }
  }
  if (!text.test(value)) {
    errors.push(`${path}: ${where} must ${text.rule}`);
    return undefined;
  }
  return { value, source: 'env' in ref ? `env ${ref.env}` : `file ${ref.file}` };
}

function buildConfig(raw: RawConfig, sources: SecretSources): FileLoaded {
  const errors: string[] = [];
  const warnings: string[] = [];
  const carriers: Carrier[] = [];
  const tokenSources: string[][] = [];
  const idAt = new Map<string, number>();
  const tokenAt = new Map<string, string>();
  const cores: (string | undefined)[] = [];

  raw.carriers.forEach((c, i) => {
    // Left out by meaningErrorsDespite: a carrier the schema already refused.
    if (c === null) return;
    const at = `carriers[${i}]`;
    const seen = idAt.get(c.id);
    if (seen !== undefined) errors.push(`${at}.id: "${c.id}" is already used by carriers[${seen}]`);
    else idAt.set(c.id, i);

    const tokens: string[] = [];
    const origins: string[] = [];
    const wanted = sources.need?.tokensOf?.(c.id) ?? true;
    (wanted ? c.tokens : []).forEach((ref, j) => {
      const path = `${at}.tokens[${j}]`;
      const secret = resolveSecret(ref, path, sources, errors);
      if (!secret) return;
      const other = tokenAt.get(secret.value);
      // A shared token would let a signature made for one carrier verify for another.
      if (other !== undefined) errors.push(`${path}: same token as ${other}; every carrier needs its own`);
      else tokenAt.set(secret.value, path);
      if (secret.source === 'inline') {
        warnings.push(`${path}: token written in the file; use {"env": "NAME"} so the file can sit in git`);
      }
      tokens.push(secret.value);
      origins.push(secret.source);
    });

    const pattern = checkWaybillPattern(c.waybillPattern);
    if (!pattern.ok) errors.push(`${at}.waybillPattern: ${pattern.reason}`);
    cores.push(pattern.ok ? pattern.core : undefined);

    const timezone = c.timezone ?? 'Asia/Shanghai';
    if (!isValidTimeZone(timezone)) errors.push(`${at}.timezone: "${timezone}" is not an IANA time zone`);

    const keys = new Map<string, number>();
    (c.cells ?? []).forEach((cell, j) => {
      const first = keys.get(cell.key);
      if (first !== undefined)
        errors.push(`${at}.cells[${j}].key: "${cell.key}" is already registered by cells[${first}]`);
      else keys.set(cell.key, j);
    });

    const privacy = compilePrivacy(c.privacy, `${at}.privacy`);
    if (!privacy.ok) errors.push(...privacy.errors);
    else if (!privacy.rules.mask) {
      warnings.push(
        `${at}.privacy.mask: off, every scanner sees the full reply (reason: ${privacy.rules.reason})`,
      );
    }

    const environment = c.environment ?? 'production';
    const testWaybills = c.testWaybills ?? [];
    if (pattern.ok) {
      testWaybills.forEach((w, j) => {
        if (!pattern.matcher.test(w)) {
          errors.push(
            `${at}.testWaybills[${j}]: "${w}" does not match waybillPattern, so WeChat could never query it`,
          );
        }
      });
    }
    if (environment === 'test' && testWaybills.length === 0) {
      warnings.push(`${at}.testWaybills: empty, so in test mode every query gets 40401`);
    }

    const ingest = carrierIngest(c, at, errors);

    // ---- Pull mode: a carrier whose replies come from its upstream API (upstream-config.ts). ----
    const upstream =
      typeof c.source === 'object'
        ? resolveUpstream(
            c.source.upstream,
            `${at}.source.upstream`,
            (ref, path) => resolveSecret(ref, path, sources, errors, UPSTREAM_SECRET_TEXT),
            errors,
            warnings,
          )
        : undefined;
    // ---- end of pull mode ----

    carriers.push(
      Object.freeze({
        id: c.id,
        name: c.name,
        tokens: Object.freeze(tokens),
        waybillPattern: c.waybillPattern,
        waybillMatcher: pattern.ok ? pattern.matcher : /^$/,
        timezone,
        ...(c.phone === undefined ? {} : { phone: c.phone }),
        cells: Object.freeze((c.cells ?? []).map((cell) => Object.freeze({ ...cell }))),
        environment,
        testWaybills: Object.freeze(new Set(testWaybills)),
        trace: Object.freeze({ ...DEFAULT_TRACE_OPTIONS, ...c.trace }),
        ...(c.application === undefined ? {} : { application: Object.freeze({ ...c.application }) }),
        ...(upstream === undefined ? {} : { upstream }),
        privacy: privacy.ok ? privacy.rules : DEFAULT_PRIVACY,
        ...(ingest === undefined ? {} : { ingest }),
      }),
    );
    tokenSources.push(origins);
  });

  // Routing by pattern (no company_id) refuses a number two carriers claim: say so up front.
  for (let i = 0; i < cores.length; i++) {
    for (let j = i + 1; j < cores.length; j++) {
      const a = cores[i];
      const b = cores[j];
      if (a === undefined || b === undefined) continue;
      const shared = overlapExamples(a, b, 1);
      if (shared.length > 0) {
        warnings.push(
          `carriers[${j}].waybillPattern: overlaps carriers[${i}] (e.g. ${shared[0]}); such numbers need company_id, else 40005`,
        );
      }
    }
  }

  const server = resolveServer(raw.server ?? {}, sources, errors, warnings);
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: Object.freeze({
      server: Object.freeze(server),
      carriers: Object.freeze(carriers),
      tokenSources: Object.freeze(tokenSources.map((s) => Object.freeze(s))),
      warnings: Object.freeze(warnings),
    }),
  };
}

/**
 * A carrier's own scan codes, retention and body limit; `undefined` when it sets none (the
 * global values apply). Every problem is added to `errors`, each naming its path.
 */
function carrierIngest(c: RawCarrier, at: string, errors: string[]): CarrierIngest | undefined {
  const out: { -readonly [K in keyof CarrierIngest]: CarrierIngest[K] } = {};
  if (c.eventCodes !== undefined) {
    const parsed = parseEventCodeMapping(c.eventCodes);
    if (parsed.ok) out.eventCodes = parsed.mapping;
    else errors.push(...parsed.errors.map((e) => `${at}.eventCodes.${e}`));
  }
  if (c.retentionDays !== undefined) out.retentionDays = c.retentionDays;
  if (c.bodyLimit !== undefined) {
    const bytes = parseBodyLimit(c.bodyLimit);
    if (bytes === undefined) {
      errors.push(
        `${at}.bodyLimit: ${JSON.stringify(c.bodyLimit)} must be from ${BODY_LIMIT_RANGE.min} bytes (1KiB) to 1024MiB`,
      );
    } else out.bodyLimitBytes = bytes;
  }
  return Object.keys(out).length === 0 ? undefined : Object.freeze(out);
}

/** The `server` section with its backend locations and guard secret resolved. */
function resolveServer(
  raw: NonNullable<RawConfig['server']>,
  sources: SecretSources,
  errors: string[],
  warnings: string[],
): FileServerSettings {
  const { db, redis, guardSecret, ownerKey, ...rest } = raw;
  const out: { -readonly [K in keyof FileServerSettings]: FileServerSettings[K] } = { ...rest };
  const location = (ref: SecretRef | undefined, key: 'db' | 'redis') => {
    if (ref === undefined) return undefined;
    const resolved = resolveSecret(ref, `server.${key}`, sources, errors, LOCATION_TEXT);
    // A password written in the file would end up in git with it.
    if (resolved?.source === 'inline' && /^[a-z][a-z0-9+.-]*:\/\/[^/@]*:[^/@]*@/i.test(resolved.value)) {
      warnings.push(`server.${key}: URL with a password written in the file; use {"env": "NAME"}`);
    }
    return resolved?.value;
  };
  const dbValue = location(db, 'db');
  if (dbValue !== undefined) out.db = dbValue;
  if (sources.need?.guard === false) return out;
  const redisValue = location(redis, 'redis');
  if (redisValue !== undefined) out.redis = redisValue;
  if (guardSecret !== undefined) {
    const secret = resolveSecret(guardSecret, 'server.guardSecret', sources, errors);
    if (secret) out.guardSecret = secret.value;
  }
  if (ownerKey !== undefined) {
    const secret = resolveSecret(ownerKey, 'server.ownerKey', sources, errors);
    if (secret) out.ownerKey = secret.value;
  }
  return out;
}
