/**
 * @module
 * Reloading the configuration in a running gateway (SIGHUP). The signal handler only calls
 * {@link Reloader}; everything it decides is here, so tests drive it in-process without signals.
 *
 * - The new configuration is loaded and validated in full first. If anything is wrong, nothing
 *   changes: the old carriers keep serving, and the reasons are logged and returned.
 * - If it is good, the carrier list is swapped in one assignment (see carrier/carrier-source.ts).
 *   Requests in flight finish with the snapshot they started with; none is dropped, because the
 *   listening socket is never touched.
 * - Settings bound when the server started (host, port, database, route path, window, replay
 *   bound, backends, workers, log level, access log) cannot change without a restart: a changed one is reported,
 *   and the running value stays.
 */
import type { SwappableCarriers } from '../carrier/carrier-source.js';
import type { Loaded } from './settings.js';
import type { GatewayConfig } from './gateway-config.js';

/** Settings that only a restart applies. */
const RESTART_ONLY = [
  'host',
  'port',
  'store',
  'guard',
  'workers',
  'trackPath',
  'windowSeconds',
  'logLevel',
  'accessLog',
] as const satisfies readonly (keyof GatewayConfig)[];

export type ReloadOutcome =
  | {
      readonly ok: true;
      /** Carrier ids now in force. */
      readonly carriers: readonly string[];
      /** Changed settings that need a restart to apply. */
      readonly restartNeeded: readonly string[];
      /** The new file's warnings. */
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly string[] };

/** The log calls a reload makes; pino's logger fits. */
export interface ReloadLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface ReloaderDeps {
  /** Loads and validates the configuration afresh (same flags, same file path). */
  readonly load: () => Loaded<GatewayConfig>;
  /** The carriers the query path reads. */
  readonly carriers: SwappableCarriers;
  /** The configuration the server started with. */
  readonly running: GatewayConfig;
  readonly log: ReloadLog;
}

export type Reloader = () => ReloadOutcome;

export function createReloader(deps: ReloaderDeps): Reloader {
  return () => {
    let loaded: Loaded<GatewayConfig>;
    try {
      loaded = deps.load();
    } catch (err) {
      loaded = { ok: false, errors: [`reload failed: ${(err as Error).message}`] };
    }
    if (!loaded.ok) {
      deps.log.error(
        { errors: loaded.errors, carriers: deps.carriers.current().map((c) => c.id) },
        'configuration reload refused; the previous configuration keeps serving',
      );
      return { ok: false, errors: loaded.errors };
    }
    const next = loaded.config;
    // Compared by value: the backend settings are objects, rebuilt by every load.
    const restartNeeded = RESTART_ONLY.filter(
      (k) => JSON.stringify(next[k]) !== JSON.stringify(deps.running[k]),
    );
    deps.carriers.replace(next.carriers);
    const carriers = next.carriers.map((c) => c.id);
    for (const warning of next.warnings ?? []) deps.log.warn({ warning }, 'configuration warning');
    if (restartNeeded.length > 0) {
      deps.log.warn({ settings: restartNeeded }, 'changed settings apply only after a restart');
    }
    deps.log.info({ carriers }, 'configuration reloaded');
    return { ok: true, carriers, restartNeeded, warnings: next.warnings ?? [] };
  };
}
