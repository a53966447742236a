/**
 * @module
 * Where the events live, resolved the same way by every command that opens the store: `--db`,
 * then WXTRACK_DB, then the configuration file's `server.db`, then the default. A postgres://
 * URL names PostgreSQL, anything else a SQLite file.
 */
import type { FileConfig } from './config-file.js';
import { allPull } from '../pull/pull-settings.js';
import { carrierIdSetting, configFileSetting, NO_TOKENS, pickCarrier } from './carrier-settings.js';
import {
  DEFAULTS,
  ENV,
  pick,
  PROCESS_ENV,
  readText,
  redactUrl,
  type Env,
  type Flags,
  type Loaded,
  type ReadText,
} from './settings.js';

/** Which store backend holds the events, and where. */
export type StoreSpec =
  /** An embedded SQLite file (or `:memory:`): one machine. */
  | { readonly kind: 'sqlite'; readonly path: string }
  /** A PostgreSQL database shared by every node. `url` may carry a password: never log it. */
  | { readonly kind: 'postgres'; readonly url: string };

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

/**
 * The store of any command that opens the database, resolved the same way everywhere: `--db`,
 * then WXTRACK_DB, then the configuration file's `server.db` (when `--config` or WXTRACK_CONFIG
 * names one), then the default.
 */
export function loadStoreConfig(
  flags: Flags,
  env: Env = PROCESS_ENV,
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
  env: Env = PROCESS_ENV,
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
export function loadDbSetting(flags: Flags, env: Env = PROCESS_ENV): StoreSpec {
  return storeSpecOf(pick(flags, env, 'db', ENV.db) ?? DEFAULTS.db);
}

/** The store from flag, variable, an already loaded file, or the default. */
export function storeConfigOf(flags: Flags, env: Env, file: FileConfig | undefined): StoreConfig {
  // Pull mode: when every carrier answers from its upstream, no store of events is needed; an
  // empty in-memory one stands in unless a database is named.
  const pullOnly = file !== undefined && allPull(file.carriers);
  const db = pick(flags, env, 'db', ENV.db) ?? file?.server.db ?? (pullOnly ? ':memory:' : DEFAULTS.db);
  return Object.freeze({ store: storeSpecOf(db) });
}
