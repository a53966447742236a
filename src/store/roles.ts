/**
 * @module
 * The storage seam, split by role. Each interface is one role with a few methods; a backend
 * (`sqlite/`, `postgres/`) implements their sum, {@link StoreBackend}, and every caller depends
 * on the one role it uses: the ingestors on {@link EventLog}, the reply source on
 * {@link WaybillReader} and {@link ChangeFeed}, `purge` and the erasure API on {@link Eraser},
 * the ingest API on {@link ApiKeyStore}, readiness on {@link Health}, privacy on
 * {@link OwnerBindings}.
 *
 * Writes store events only (issue: the write path at a courier's scale): no reply is rendered
 * inside a write transaction. A reply is rendered on read from {@link WaybillReader.readWaybill}
 * by the pure tracking core, and cached by the reply view (view/), which the change feed keeps
 * coherent on every node.
 */
import type { ScanEvent, StoredEvent } from '../tracking/event.js';
import type {
  ApiKeyRecord,
  IngestOutcome,
  PurgeScope,
  Removed,
  WaybillAttributes,
  WaybillAttributesPatch,
  WaybillPage,
  WaybillRef,
} from './records.js';

/** Events written: the only thing an ingest (push, import, worker) stores. */
export interface EventLog {
  /**
   * Appends a carrier's events atomically with one change-feed entry per waybill that gained an
   * event. Exact duplicate/conflict detection by `event_id`; renders nothing. One outcome per
   * input event, in input order.
   */
  append(carrier: string, events: readonly ScanEvent[]): Promise<IngestOutcome[]>;

  /** Sets API attributes of a waybill (creating it without scans); one change-feed entry. */
  setAttributes(carrier: string, waybill: string, patch: WaybillAttributesPatch): Promise<void>;
}

/** What rendering a waybill's reply reads: its events and the attributes the API set. */
export interface WaybillState {
  /** Oldest first by event time, ties in ingest order: the order rendering expects. */
  readonly events: readonly StoredEvent[];
  readonly attributes: WaybillAttributes;
  /** Newest event time (ms); 0 for a waybill without scans (it ages from `updatedAt`). */
  readonly lastEventAt: number;
  /** The last write that changed the waybill: an event's ingest or an attribute update (ms). */
  readonly updatedAt: number;
}

/** A waybill's events read: one indexed range read per waybill. */
export interface WaybillReader {
  /** The waybill's state, or `undefined` when the carrier has no such waybill. */
  readWaybill(carrier: string, waybill: string): Promise<WaybillState | undefined>;

  /** A page of a carrier's waybill numbers, ascending, after `page.after` (pattern lint, warm-up). */
  listWaybills(carrier: string, page: WaybillPage): Promise<string[]>;

  /** Waybill counts per stored carrier (config check names carriers nothing serves). */
  countByCarrier(): Promise<ReadonlyMap<string, number>>;
}

/**
 * A point in the change feed that can be proven: the seq, the random tag written with that entry,
 * and the identity of the store that wrote it. A reader that holds a mark can ask whether the
 * store still has exactly that entry; after a restore, a replacement database, a rollback or a
 * point-in-time recovery it does not, and the reader drops what it derived.
 */
export interface ChangeMark {
  /** Random id made when the store's schema was created; a replaced database has another. */
  readonly store: string;
  /** 0 for the empty log. */
  readonly seq: number;
  /** The entry's random tag; '' for seq 0. */
  readonly tag: string;
}

/** A page of the change feed. */
export interface ChangePage {
  /** Touched waybills after the mark, oldest first. A waybill may appear twice. */
  readonly changes: readonly WaybillRef[];
  /** Where the reader stands after applying `changes`; on a gap, the newest entry. */
  readonly next: ChangeMark;
  /**
   * True when the reader's mark cannot be proven (another store, an entry with another tag, one
   * pruned or past the end): drop everything derived and restart from `next`. `changes` is empty.
   */
  readonly gap: boolean;
}

/** The change feed: every committed write's touched waybills, in commit order, by any process. */
export interface ChangeFeed {
  /** The entries after `after` (at most `limit`), or a gap when `after` cannot be proven. */
  changesSince(after: ChangeMark, limit: number): Promise<ChangePage>;
  /** The newest entry: a new reader starts here. */
  lastChange(): Promise<ChangeMark>;
}

/** Purge and erasure (retention, personal-data erasure). */
export interface Eraser {
  /** Erases a waybill, its events and its owner bindings; `undefined` when unknown. */
  deleteWaybill(carrier: string, waybill: string): Promise<Removed | undefined>;
  /**
   * Erases every waybill whose newest event is older than `cutoff` (epoch ms), across carriers,
   * or only those `scope` covers (a carrier's own retention).
   */
  purgeOlderThan(cutoff: number, scope?: PurgeScope): Promise<Removed>;
  /** What {@link purgeOlderThan} would erase, erasing nothing (`purge --dry-run`). */
  countOlderThan(cutoff: number): Promise<Removed>;
}

/** Ingest API keys (api/). */
export interface ApiKeyStore {
  addApiKey(key: ApiKeyRecord): Promise<'created' | 'name-taken'>;
  findApiKey(id: string): Promise<ApiKeyRecord | undefined>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  revokeApiKey(name: string, at: number): Promise<boolean>;
}

/**
 * Owners of a waybill (privacy/): openids the courier bound after its own check. The openid is
 * stored only as a keyed hash. Bindings are erased with their waybill. Binding and unbinding
 * append a change-feed entry for the waybill, like any other write that changes its replies.
 */
export interface OwnerBindings {
  bindOwner(carrier: string, waybill: string, openidHash: string, at: number): Promise<void>;
  unbindOwner(carrier: string, waybill: string, openidHash: string): Promise<boolean>;
  isOwner(carrier: string, waybill: string, openidHash: string): Promise<boolean>;
  /**
   * The waybill's owners' hashes, ascending, at most 255 (privacy/owned-entry.ts): read with a
   * stranger's reply, so that the reply view can tell an owner without a lookup per query.
   */
  ownersOf(carrier: string, waybill: string): Promise<readonly string[]>;
}

/** Health: readiness and shutdown. */
export interface Health {
  /** Resolves when the store can serve, within its own bound; rejects otherwise. */
  ping(): Promise<void>;
  /** Releases the backend. Further calls reject. */
  close(): Promise<void>;
}

/** What a backend implements: the sum of the roles. Callers take the one role they need. */
export type StoreBackend = EventLog &
  WaybillReader &
  ChangeFeed &
  Eraser &
  ApiKeyStore &
  OwnerBindings &
  Health;
