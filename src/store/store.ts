/**
 * @module
 * The Store: where scan events and the replies rendered from them live. One interface, one folder
 * per backend (`sqlite/`, later `postgres/`), and one contract suite (`store.case.test.ts`) that
 * every backend runs.
 *
 * The query path needs exactly one call, {@link Store.getReply}: a single indexed read of the
 * reply rendered when the waybill's events last changed.
 */
import type { ScanEvent, StoredEvent } from '../tracking/event.js';

/** What happened to one event handed to {@link Store.ingest}. */
export type IngestOutcome =
  /** Stored now. */
  | 'inserted'
  /** The carrier already has this `event_id`: nothing changed. */
  | 'duplicate';

/** A waybill's stored reply: script-safe OrderInfo JSON, ready for `WxOrderCb(` + json + `)`. */
export interface StoredReply {
  /** UTF-8 bytes: the query path writes them to the socket without decoding. */
  readonly json: Buffer;
}

/** Everything a store knows about one waybill; the carrier's debugging view. */
export interface WaybillRecord {
  readonly carrier: string;
  readonly waybill: string;
  readonly replyJson: string;
  readonly lastEventAt: number;
  readonly updatedAt: number;
  /** Oldest first, in the order the reply shows them. */
  readonly events: readonly StoredEvent[];
}

/** Which slice of a carrier's waybill numbers {@link Store.listWaybills} returns. */
export interface WaybillPage {
  /** Return only numbers sorting after this one; absent for the first page. */
  readonly after?: string;
  /** At most this many numbers, 1 or more. */
  readonly limit: number;
}

export interface Store {
  /**
   * Writes events for one carrier atomically, and re-renders every waybill they touch in the
   * same transaction, so a reader never sees events without their reply. Returns one outcome per
   * input event, in input order.
   */
  ingest(carrier: string, events: readonly ScanEvent[]): Promise<IngestOutcome[]>;

  /** The rendered reply of a waybill, or `undefined` when the carrier has no such waybill. */
  getReply(carrier: string, waybill: string): Promise<StoredReply | undefined>;

  /** The full record of a waybill, or `undefined`. */
  getWaybill(carrier: string, waybill: string): Promise<WaybillRecord | undefined>;

  /**
   * A number that moves whenever a writer outside this Store object (another process or
   * connection) commits. A cache in front of the store compares it to know its contents may be
   * stale. A backend with no such signal returns a new value on every call, which disables
   * caching rather than risk serving stale replies.
   */
  changeCounter(): number;

  /**
   * A page of the waybill numbers a carrier holds, in ascending order, starting after `after`
   * (exclusive) and at most `limit` long; `wxtrack pattern lint` pages through them.
   */
  listWaybills(carrier: string, page: WaybillPage): Promise<string[]>;

  /** Resolves when the store can serve; rejects otherwise (readiness probes call it). */
  ping(): Promise<void>;

  /** Releases the backend. Further calls reject. */
  close(): Promise<void>;
}
