/**
 * @module
 * The Store: where scan events and the replies rendered from them live. One interface, one folder
 * per backend (`sqlite/`, `postgres/`), and one contract suite (`store.case.test.ts`) that
 * every backend runs.
 *
 * The query path needs exactly one call, {@link Store.getReply}: a single indexed read of the
 * reply rendered when the waybill's events last changed.
 *
 * Every write also appends the waybills it touched to a change log ({@link Store.changesSince}),
 * so a reply cache on any node can drop exactly those, whoever wrote them.
 */
import type { Cell } from '../protocol/order-info.js';
import type { ScanEvent, StoredEvent } from '../tracking/event.js';

/** What happened to one event handed to {@link Store.ingest}. */
export type IngestOutcome =
  /** Stored now. */
  | 'inserted'
  /** The carrier already has this `event_id` with the same content: nothing changed. */
  | 'duplicate'
  /** The carrier already has this `event_id` with other content: the first version stays. */
  | 'conflict';

/** A waybill's stored reply: script-safe OrderInfo JSON, ready for `WxOrderCb(` + json + `)`. */
export interface StoredReply {
  /** UTF-8 bytes: the query path writes them to the socket without decoding. */
  readonly json: Buffer;
  /**
   * The same reply as view/deflated-reply.ts stores it, when the reader holds it compressed (the
   * reply view): the query path then sends it gzip-encoded as it is, and `json` inflates it.
   */
  readonly deflated?: Buffer;
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
  /** Set through the waybill API, not by scans. */
  readonly attributes: WaybillAttributes;
}

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

/** Which slice of a carrier's waybill numbers {@link Store.listWaybills} returns. */
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

/** A page of the change log, read by {@link Store.changesSince}. */
export interface ChangePage {
  /** Touched waybills after `after`, oldest first, at most `limit`. A waybill may appear twice. */
  readonly changes: readonly WaybillRef[];
  /**
   * Pass as `after` next time: the seq of the last change returned (or `after` if none). On a
   * gap, the newest seq committed: the reader drops its cache and goes on from there.
   */
  readonly next: number;
  /**
   * True when changes after `after` were already pruned, or `after` is ahead of the log (it came
   * from another database): the reader must drop everything it caches. `changes` is then empty.
   */
  readonly gap: boolean;
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
   * The change log: every committed write (ingest, attributes, delete, purge; by any process or
   * node) appends one entry per waybill it touched, in its own transaction, in commit order, so
   * a reader that saw seq `n` has seen every write committed before the one that took `n + 1`.
   * A write that changes nothing (only duplicates, erasing an unknown waybill) appends nothing.
   * The log is pruned to its newest entries (a bound set per backend); a reader left behind the
   * pruned point gets `gap: true`. `after` is a non-negative integer, `limit` a positive one.
   */
  changesSince(after: number, limit: number): Promise<ChangePage>;

  /** The newest seq committed (0 for none): a reader starts here. */
  lastChange(): Promise<number>;

  /**
   * A page of the waybill numbers a carrier holds, in ascending order, starting after `after`
   * (exclusive) and at most `limit` long; `wxtrack pattern lint` pages through them.
   */
  listWaybills(carrier: string, page: WaybillPage): Promise<string[]>;

  /**
   * Sets attributes of a waybill, creating it when it has no scans yet, and re-renders its reply
   * in the same transaction. Returns the record after the change.
   */
  setWaybillAttributes(
    carrier: string,
    waybill: string,
    patch: WaybillAttributesPatch,
  ): Promise<WaybillRecord>;

  /** Erases a waybill and all its events (personal-data erasure); `undefined` when unknown. */
  deleteWaybill(carrier: string, waybill: string): Promise<Removed | undefined>;

  /**
   * Erases, across carriers, every waybill whose newest event is older than `cutoff` (epoch ms),
   * with its events. A waybill with attributes and no events ages from its last update instead.
   */
  purgeOlderThan(cutoff: number): Promise<Removed>;

  /** What {@link purgeOlderThan} would erase at this cutoff, erasing nothing (`purge --dry-run`). */
  countOlderThan(cutoff: number): Promise<Removed>;

  /** Adds an API key; refuses a name already held by a key that is not revoked. */
  addApiKey(key: ApiKeyRecord): Promise<'created' | 'name-taken'>;

  /** The key with this id, revoked or not. */
  findApiKey(id: string): Promise<ApiKeyRecord | undefined>;

  /** All keys, oldest first. */
  listApiKeys(): Promise<ApiKeyRecord[]>;

  /** Revokes the active key with this name; false when there is none. */
  revokeApiKey(name: string, at: number): Promise<boolean>;

  /** Resolves when the store can serve; rejects otherwise (readiness probes call it). */
  ping(): Promise<void>;

  /** Releases the backend. Further calls reject. */
  close(): Promise<void>;
}
