/**
 * @module
 * The store's records: what its roles (roles.ts) take and give besides the tracking core's events.
 */
import type { Cell } from '../protocol/order-info.js';

/** What happened to one event handed to `EventLog.append`. */
export type IngestOutcome =
  /** Stored now. */
  | 'inserted'
  /** The carrier already has this `event_id` with the same content: nothing changed. */
  | 'duplicate'
  /** The carrier already has this `event_id` with other content: the first version stays. */
  | 'conflict';

/** Waybill attributes the carrier's systems set without a scan. */
export interface WaybillAttributes {
  /** `YYYY-MM-DD`; wins over the events' `eta`. */
  readonly eta: string | undefined;
  /** Win over the events' `cells`. */
  readonly cells: readonly Cell[] | undefined;
  /** Where the parcel goes; kept for the carrier's debugging view, not shown by WeChat. */
  readonly destination: string | undefined;
}

/** A change to {@link WaybillAttributes}: a field left out is kept, `null` clears it. */
export type WaybillAttributesPatch = {
  readonly [K in keyof WaybillAttributes]?: NonNullable<WaybillAttributes[K]> | null;
};

/** What an erasure or purge removed. */
export interface Removed {
  readonly waybills: number;
  readonly events: number;
}

/**
 * Which carriers a purge covers (per-carrier retention): one carrier, or every carrier but
 * some; every carrier when absent.
 */
export type PurgeScope = { readonly carrier: string } | { readonly except: readonly string[] };

/** Whether a purge in `scope` covers `carrier`. */
export function inPurgeScope(scope: PurgeScope | undefined, carrier: string): boolean {
  if (scope === undefined) return true;
  return 'carrier' in scope ? scope.carrier === carrier : !scope.except.includes(carrier);
}

/** An ingest API key as stored: its hash, never the key itself. */
export interface ApiKeyRecord {
  /** Public part of the key, used to find it. */
  readonly id: string;
  readonly name: string;
  /** Carrier whose events the key may write. */
  readonly carrier: string;
  /** SHA-256 of the whole key, base64url. */
  readonly hash: string;
  readonly createdAt: number;
  readonly revokedAt: number | undefined;
}

/** Which slice of a carrier's waybill numbers `WaybillReader.listWaybills` returns. */
export interface WaybillPage {
  /** Return only numbers sorting after this one; absent for the first page. */
  readonly after?: string;
  /** At most this many numbers, 1 or more. */
  readonly limit: number;
}

/** A waybill some write touched. */
export interface WaybillRef {
  readonly carrier: string;
  readonly waybill: string;
}
