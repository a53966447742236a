/**
 * @module
 * What `wxtrack import` and the push API need beyond the gateway's settings: the carrier and zone
 * an import writes for, its waybill rule, and the body limit, scan codes, retention and CSV map.
 */
import { readFileSync } from 'node:fs';
import { parseBodyLimit } from './byte-size.js';
import {
  cellKeysOf,
  DEFAULT_TRACE_OPTIONS,
  type Carrier,
  type CarrierIngest,
  type RegisteredCell,
  type TraceOptions,
} from '../carrier/carrier.js';
import { checkWaybillPattern } from '../carrier/pattern-safety.js';
import { defaultEventCodes, parseEventCodeMapping, type EventCodeMapping } from '../tracking/event-codes.js';
import type { WaybillRule } from '../tracking/event.js';
import {
  carrierIdSetting,
  configFileSetting,
  NO_TOKENS,
  pickCarrier,
  timezoneSetting,
} from './carrier-settings.js';
import { storeConfigOf, type StoreConfig } from './store-settings.js';
import {
  DEFAULTS,
  ENV,
  INGEST_DEFAULTS,
  INGEST_ENV,
  integer,
  pick,
  PROCESS_ENV,
  readText,
  type Env,
  type Flags,
  type Loaded,
  type ReadText,
} from './settings.js';

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
  /** The carrier's own ingest settings from the configuration file (its scan codes win). */
  readonly ingest: CarrierIngest | undefined;
  /** The carrier's registered cells (a cell's `status` that repeats its link is warned about). */
  readonly cells: readonly RegisteredCell[] | undefined;
}

export function loadImportConfig(
  flags: Flags,
  env: Env = PROCESS_ENV,
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
        ingest: undefined,
        cells: undefined,
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
      ingest: carrier.ingest,
      cells: carrier.cells,
    }),
  };
}

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

export { parseByteSize } from './byte-size.js';

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
  env: Env = PROCESS_ENV,
  readFile: (path: string) => string = (path) => readFileSync(path, 'utf8'),
): Loaded<IngestConfig> {
  const errors: string[] = [];
  const limitText = pick(flags, env, 'body-limit', INGEST_ENV.bodyLimit);
  let bodyLimitBytes: number = INGEST_DEFAULTS.bodyLimitBytes;
  if (limitText !== undefined) {
    const n = parseBodyLimit(limitText);
    if (n === undefined) {
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

/** One carrier's ingest settings in force: its own from the configuration file, else the global. */
export interface CarrierIngestInForce {
  readonly eventCodes: EventCodeMapping;
  readonly retentionDays: number | undefined;
  readonly bodyLimitBytes: number;
}

/**
 * A carrier's settings in force. A carrier's entry in the file is more specific than a flag or
 * variable, which sets the value for every carrier that has none: `--retention-days 30` with a
 * carrier whose file says `"retentionDays": 180` keeps that carrier's waybills 180 days.
 */
export function ingestInForce(
  carrier: Pick<Carrier, 'ingest'> | undefined,
  global: Pick<IngestConfig, 'eventCodes' | 'retentionDays' | 'bodyLimitBytes'>,
): CarrierIngestInForce {
  const own = carrier?.ingest;
  return {
    eventCodes: own?.eventCodes ?? global.eventCodes,
    retentionDays: own?.retentionDays ?? global.retentionDays,
    bodyLimitBytes: own?.bodyLimitBytes ?? global.bodyLimitBytes,
  };
}
