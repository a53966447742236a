/**
 * @module
 * The carriers a command works on: the configuration file's (`--config` or WXTRACK_CONFIG), or
 * the one carrier built from flags and variables (`--token` or WXTRACK_TOKEN, ...). A command
 * resolves only the secrets of the carriers it touches: `--carrier` picks one, and its tokens
 * alone are read.
 */
import type { Carrier } from '../carrier/carrier.js';
import { checkWaybillPattern } from '../carrier/pattern-safety.js';
import { isValidTimeZone } from '../tracking/time.js';
import { parseConfigText, type FileConfig, type SecretNeeds } from './config-file.js';
import {
  DEFAULTS,
  ENV,
  pick,
  PROCESS_ENV,
  readText,
  type Env,
  type Flags,
  type Loaded,
  type ReadText,
} from './settings.js';

const TOKEN_RE = /^[\x21-\x7e]{3,128}$/;

export function carrierIdSetting(flags: Flags, env: Env, errors: string[]): string {
  const id = pick(flags, env, 'carrier', ENV.carrierId) ?? DEFAULTS.carrierId;
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(id)) errors.push(`carrier: "${id}" must be 1 to 32 of A-Z a-z 0-9 _ -`);
  return id;
}

export function timezoneSetting(flags: Flags, env: Env, errors: string[]): string {
  const timezone = pick(flags, env, 'timezone', ENV.timezone) ?? DEFAULTS.timezone;
  if (!isValidTimeZone(timezone)) errors.push(`timezone: "${timezone}" is not an IANA time zone`);
  return timezone;
}

/** `--carrier ID` among the file's carriers; optional when there is just one. */
export function pickCarrier(
  carriers: readonly Carrier[],
  flags: Flags,
  errors: string[],
): Carrier | undefined {
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
export function configPathSetting(flags: Flags, env: Env = PROCESS_ENV): string | undefined {
  return pick(flags, env, 'config', ENV.config);
}

/** For commands that open the store but verify no signature. */
export const NO_TOKENS: SecretNeeds = Object.freeze({ tokensOf: () => false, guard: false });

/**
 * Reads and validates a configuration file; secrets come from `env`, and only those `need` names
 * (default: all).
 */
export function loadConfigFile(
  path: string,
  env: Env = PROCESS_ENV,
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
export function configFileSetting(
  flags: Flags,
  env: Env,
  read: ReadText = readText,
  need?: SecretNeeds,
): Loaded<FileConfig> | undefined {
  const path = configPathSetting(flags, env);
  return path === undefined ? undefined : loadConfigFile(path, env, read, need);
}

/** Flags that describe the single flag-built carrier; meaningless beside a configuration file. */
export const CARRIER_FLAGS = ['token', 'waybill-pattern', 'carrier', 'carrier-name', 'timezone'] as const;

/**
 * The carriers a command works on: the file's, or the one carrier of the foundation's flags.
 * `requireToken: false` serves commands that never verify a signature (cells sheet, pattern lint).
 */
export function loadCarriers(
  flags: Flags,
  env: Env = PROCESS_ENV,
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
  env: Env = PROCESS_ENV,
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
  env: Env = PROCESS_ENV,
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

/**
 * Where `wxtrack sign` points its URL: `--url`, else the gateway's own address built the way
 * `serve` builds it (`--path`, WXTRACK_TRACK_PATH, the file's `trackPath`, the default; the
 * same for host and port), so a signed URL follows a moved route.
 */
export function signTargetUrl(flags: Flags, file: FileConfig | undefined, env: Env = PROCESS_ENV): string {
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
  env: Env = PROCESS_ENV,
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
