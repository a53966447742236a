/**
 * @module
 * The embedded default store: SQLite through better-sqlite3 (12.x; 13 needs Node 22).
 *
 * - A write stores events and change-log entries, nothing else: no reply is rendered or kept
 *   (the write path at a courier's scale: the stored reply, rewritten whole on every batch, was
 *   about 3.3 KB written per event of a time-ordered feed). Replies are rendered on read
 *   (reply/render-on-read.ts) from {@link SqliteStore.readWaybill}: one statement, one indexed
 *   range read of the waybill's events beside its attributes row.
 * - WAL with `synchronous=FULL`: an acknowledged event survives a power cut, and readers (the
 *   query path) never wait for the writer.
 * - A busy timeout, so an `import` running beside `serve` waits instead of failing.
 * - `mmap_size`: reads of a waybill's events become memory reads instead of a `pread` per page.
 * - The change log is written inside each write transaction; SQLite's single writer makes seq
 *   order commit order. Its rules (proof by store id and tags, pruning) are sql/change-feed.ts.
 *
 * Table layout (migration 6), chosen by bench/store/layout.mjs: 400,000 events over 50,000
 * waybills, time-ordered (each event lands on another waybill), realistic Chinese event text,
 * SQL only, 2-core machine shared at load 12; events per CPU-second, bytes written per event,
 * bytes on disk per event (tables and indexes):
 *
 * | layout                                          | txn 10k          | txn 100k          | disk  |
 * |-------------------------------------------------|------------------|-------------------|-------|
 * | previous: text carrier, stored fingerprint      | 46.6k/s, 3,951 B | 57.2k/s, 885 B    | 314 B |
 * | rowid, compact, UNIQUE (carrier, event_id)      | 84.0k/s, 3,002 B | 103.4k/s, 658 B   | 230 B |
 * | rowid, compact, 53-bit event_id hash index      | 80.7k/s, 2,565 B | 99.7k/s, 621 B    | 229 B |
 * | WITHOUT ROWID on (carrier, waybill, time, seq)  | 35.6k/s, 9,413 B | 88.2k/s, 1,221 B  | 243 B |
 *
 * - A rowid table in ingest order: a time-ordered feed appends rows at the table's end and
 *   scatters only two small index entries per event. Clustering by waybill scatters whole rows
 *   (3× the bytes written per event, half the rate) and fills its random-split pages to about
 *   70 %; it reads a waybill in 41 instead of 43 µs (p50), not worth it.
 * - event_id dedupe is probed by the insert itself (`ON CONFLICT (carrier, event_id) DO NOTHING`
 *   on a unique index): exact by construction, one statement per event. A hash index was as fast
 *   and 1 byte smaller per event, but needs a hash function kept stable forever in SQL.
 * - Compact columns: the carrier as a small integer (carriers table), the status's own label left
 *   out (NULL), no stored fingerprint (a re-sent event is compared with its row; only duplicates
 *   pay). Times are integers (ms), the status a small integer.
 * - Page cache 64 MiB, WAL checkpoint every 16,384 pages: see their constants below. The import's
 *   transaction stays at 10,000 events: 50,000 cut nothing on a loaded machine and raised the
 *   import's RssAnon from 221 to 314 MiB (1M events, 125,000 waybills).
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../clock/clock.js';
import type { ScanEvent } from '../../tracking/event.js';
import { sameEventContent } from '../../tracking/fingerprint.js';
import { STATUS_LABELS } from '../../tracking/status.js';
import type { ChangeMark, ChangePage, StoreBackend, WaybillState } from '../roles.js';
import {
  changePage,
  checkChangeLogKeep,
  checkChangesArgs,
  DEFAULT_CHANGE_LOG_KEEP,
  newestMark,
  newTags,
  pruneThrough,
  type ChangeRow,
  type FeedState,
} from '../sql/change-feed.js';
import { MAX_OWNERS_IN_ENTRY } from '../../privacy/owned-entry.js';
import { PURGE_CHUNK, purgeLoop, type PurgeChunk } from '../sql/purge-loop.js';
import {
  personalColumn,
  mergePages,
  toApiKey,
  toStoredEvent,
  toWaybillState,
  type EventRow,
  type KeyRow,
  type StateRow,
} from '../sql/rows.js';
import { DatabaseMissingError } from '../store-errors.js';
import {
  inPurgeScope,
  type ApiKeyRecord,
  type IngestOutcome,
  type PurgeScope,
  type Removed,
  type WaybillAttributesPatch,
  type WaybillPage,
  type WaybillRef,
} from '../store.js';
import { SQLITE_MIGRATIONS, type Migration } from './sqlite-migrations.js';

export interface SqliteStoreOptions {
  /** Database file, or `:memory:`. */
  readonly path: string;
  /**
   * Whether a missing file may be created (with its folder). Default false: a missing file is
   * refused with a {@link DatabaseMissingError}, so a mistyped path never becomes an empty database.
   */
  readonly create?: boolean;
  readonly clock: Clock;
  /** How long a writer waits for a lock, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * Bytes of the file to memory-map for reads. Default 8 GiB, which SQLite clamps to its build's
   * ceiling (2 GiB in better-sqlite3).
   */
  readonly mmapBytes?: number;
  /** Open for reading only (no migrations are run; the schema must be current). */
  readonly readonly?: boolean;
  /** Change-log entries to keep (see sql/change-feed.ts). Default {@link DEFAULT_CHANGE_LOG_KEEP}. */
  readonly changeLogKeep?: number;
  /** Page cache, MiB. Default {@link DEFAULT_CACHE_MIB}. */
  readonly cacheMiB?: number;
}

/**
 * Page cache (MiB): holds the index pages one write transaction of a time-ordered feed dirties
 * (about 2 per event up to the size of both indexes), so that none is spilled to the WAL twice
 * before its commit. 32 → 64 MiB: 48,000 → 62,000 events per CPU-second (bench/store/layout.mjs).
 */
export const DEFAULT_CACHE_MIB = 64;

/**
 * WAL pages between checkpoints. A time-ordered transaction rewrites index pages scattered over
 * the file; a checkpoint copies each page once however many commits rewrote it since the last.
 * SQLite's 1,000 (4 MiB) checkpointed after every commit: 1,704 → 1,453 bytes written per event
 * and about a third more events/s with 16,384 (a WAL of up to 64 MiB).
 */
export const WAL_CHECKPOINT_PAGES = 16_384;

/** Columns of an events row as rows.ts maps them: the carrier's own label filled back in. */
const EVENT_SELECT = (e: string) =>
  [
    `${e}.seq`,
    `${e}.event_id`,
    `${e}.waybill`,
    `${e}.time_ms`,
    `${e}.status`,
    `COALESCE(${e}.label, CASE ${e}.status ${Object.entries(STATUS_LABELS)
      .map(([status, label]) => `WHEN ${Number(status)} THEN '${label}'`)
      .join(' ')} END) AS label`,
    `${e}.description`,
    `${e}.location`,
    `${e}.eta`,
    `${e}.cells`,
    `${e}.ingested_at`,
    `${e}.personal`,
  ].join(', ');
/** Applies every migration newer than the database's version, each in its own transaction. */
export function migrate(db: Database.Database, migrations: readonly Migration[] = SQLITE_MIGRATIONS): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const versionOf = db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').pluck();
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  let applied = 0;
  for (const m of migrations) {
    // BEGIN IMMEDIATE, and the version read inside it: two processes opening a new database at
    // once (an import beside serve) must not both apply the same migration.
    const done = db
      .transaction(() => {
        if (m.version <= (versionOf.get() as number)) return false;
        db.exec(m.sql);
        record.run(m.version, m.name, Date.now());
        return true;
      })
      .immediate();
    if (done) applied++;
  }
  return applied;
}

/** A waybill in the walk's order: carrier, then number. */
interface AgedRow {
  carrier: string;
  waybill: string;
  last: number;
  events: number;
}

/**
 * Whether a stored row holds exactly the columns a re-sent event would be stored as: then it is
 * a duplicate. A difference in a serialised column (cells, personal: another key order) is not yet
 * a conflict; the caller asks the fingerprint's text.
 */
function sameColumns(row: EventRow, e: ScanEvent, cells: string | null, personal: string | null): boolean {
  return (
    row.waybill === e.waybill &&
    row.time_ms === e.time &&
    row.status === e.status &&
    row.label === e.label &&
    row.description === e.description &&
    row.location === (e.location ?? null) &&
    row.eta === (e.eta ?? null) &&
    row.cells === cells &&
    (row.personal ?? null) === personal
  );
}

export class SqliteStore implements StoreBackend {
  readonly #db: Database.Database;
  readonly #clock: Clock;
  readonly #changeLogKeep: number;
  #closed = false;

  readonly #carrierIds = new Map<string, number>();
  readonly #carrierId: Database.Statement;
  readonly #addCarrier: Database.Statement;
  readonly #insertEvent: Database.Statement;
  readonly #existingEvent: Database.Statement;
  readonly #readWaybill: Database.Statement;
  readonly #eventPage: Database.Statement;
  readonly #attributePage: Database.Statement;
  readonly #setAttributes: Database.Statement;
  readonly #deleteEvents: Database.Statement;
  readonly #deleteAttributes: Database.Statement;
  readonly #deleteOwners: Database.Statement;
  readonly #appendChange: Database.Statement;
  readonly #pruneAt: Database.Statement;
  readonly #prune: Database.Statement;
  readonly #setPruned: Database.Statement;
  readonly #feedState: Database.Statement;
  readonly #tagAt: Database.Statement;
  readonly #changesAfter: Database.Statement;
  readonly #appendTx: (carrier: string, events: readonly ScanEvent[]) => IngestOutcome[];
  readonly #setAttributesTx: (carrier: string, waybill: string, patch: WaybillAttributesPatch) => void;
  readonly #deleteTx: (carrier: string, waybill: string) => Removed | undefined;
  readonly #walkTx: (cutoff: number, after: WaybillRef | undefined, scope?: PurgeScope) => PurgeChunk;
  readonly #orphansTx: (cutoff: number, scope?: PurgeScope) => Removed;
  readonly #pageTx: (after: ChangeMark, limit: number) => ChangePage;

  constructor(options: SqliteStoreOptions) {
    this.#clock = options.clock;
    this.#changeLogKeep = checkChangeLogKeep(options.changeLogKeep ?? DEFAULT_CHANGE_LOG_KEEP);
    if (options.path !== ':memory:' && options.path !== '' && !existsSync(options.path)) {
      if (!options.create || options.readonly) throw new DatabaseMissingError(options.path);
      mkdirSync(dirname(options.path), { recursive: true });
    }
    const db = new Database(options.path, { readonly: options.readonly ?? false });
    this.#db = db;
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db);
    }
    db.pragma(`mmap_size = ${Math.trunc(options.mmapBytes ?? 2 ** 33)}`);
    db.pragma(`cache_size = -${Math.trunc((options.cacheMiB ?? DEFAULT_CACHE_MIB) * 1024)}`);
    if (!options.readonly) db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);

    this.#carrierId = db.prepare('SELECT id FROM carriers WHERE name = ?').pluck();
    this.#addCarrier = db.prepare('INSERT INTO carriers (name) VALUES (?)');
    this.#insertEvent = db.prepare(`
      INSERT INTO events (carrier, waybill, time_ms, status, label, description, location, event_id, ingested_at, eta, cells, personal)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (carrier, event_id) DO NOTHING`);
    this.#existingEvent = db.prepare(
      `SELECT ${EVENT_SELECT('e')} FROM events e WHERE e.carrier = ? AND e.event_id = ?`,
    );
    // One statement: the attributes row beside the waybill's events, read from the index
    // (carrier, waybill, time_ms; the rowid seq last) in rendering order.
    this.#readWaybill = db.prepare(`
      SELECT a.eta AS a_eta, a.cells AS a_cells, a.destination AS a_destination, a.updated_at AS a_updated_at,
             ${EVENT_SELECT('e')}
      FROM (SELECT ? AS carrier, ? AS waybill) AS k
      LEFT JOIN attributes a ON a.carrier = k.carrier AND a.waybill = k.waybill
      LEFT JOIN carriers c ON c.name = k.carrier
      LEFT JOIN events e ON e.carrier = c.id AND e.waybill = k.waybill
      ORDER BY e.time_ms, e.seq`);
    // Both walk an index in waybill order: no sort.
    this.#eventPage = db
      .prepare(
        `SELECT DISTINCT waybill FROM events
         WHERE carrier = (SELECT id FROM carriers WHERE name = ?) AND waybill > ? ORDER BY waybill LIMIT ?`,
      )
      .pluck();
    this.#attributePage = db
      .prepare('SELECT waybill FROM attributes WHERE carrier = ? AND waybill > ? ORDER BY waybill LIMIT ?')
      .pluck();
    this.#setAttributes = db.prepare(`
      INSERT INTO attributes (carrier, waybill, eta, cells, destination, updated_at)
      VALUES (@carrier, @waybill, @eta, @cells, @destination, @now)
      ON CONFLICT (carrier, waybill) DO UPDATE SET
        eta = CASE WHEN @set_eta THEN excluded.eta ELSE eta END,
        cells = CASE WHEN @set_cells THEN excluded.cells ELSE cells END,
        destination = CASE WHEN @set_destination THEN excluded.destination ELSE destination END,
        updated_at = excluded.updated_at`);
    this.#deleteEvents = db.prepare(
      'DELETE FROM events WHERE carrier = (SELECT id FROM carriers WHERE name = ?) AND waybill = ?',
    );
    this.#deleteAttributes = db.prepare('DELETE FROM attributes WHERE carrier = ? AND waybill = ?');
    this.#deleteOwners = db.prepare('DELETE FROM owners WHERE carrier = ? AND waybill = ?');
    this.#appendChange = db.prepare('INSERT INTO changes (carrier, waybill, tag) VALUES (?, ?, ?)');
    this.#pruneAt = db.prepare('SELECT seq, tag FROM changes WHERE seq <= ? ORDER BY seq DESC LIMIT 1');
    this.#prune = db.prepare('DELETE FROM changes WHERE seq <= ?');
    this.#setPruned = db.prepare(
      'UPDATE change_log SET pruned_through = ?, pruned_tag = ? WHERE pruned_through < ?',
    );
    this.#feedState = db.prepare(`
      SELECT (SELECT store_id FROM store_meta) AS storeId, pruned_through AS prunedThrough, pruned_tag AS prunedTag,
             (SELECT seq FROM changes ORDER BY seq DESC LIMIT 1) AS newestSeq,
             (SELECT tag FROM changes ORDER BY seq DESC LIMIT 1) AS newestTag
      FROM change_log`);
    this.#tagAt = db.prepare('SELECT tag FROM changes WHERE seq = ?').pluck();
    this.#changesAfter = db.prepare(
      'SELECT seq, carrier, waybill, tag FROM changes WHERE seq > ? ORDER BY seq LIMIT ?',
    );

    // IMMEDIATE: the carrier id is read before the first write, and must still hold at it.
    this.#appendTx = db.transaction((carrier: string, events: readonly ScanEvent[]) => {
      const now = this.#clock.now();
      const id = this.#carrierIds.get(carrier) ?? this.#carrierIdFor(carrier);
      const outcomes: IngestOutcome[] = new Array(events.length);
      const touched = new Set<string>();
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        const cells = e.cells === undefined ? null : JSON.stringify(e.cells);
        const personal = personalColumn(e);
        // Positional binding: measurably cheaper than named parameters on the bulk path.
        const info = this.#insertEvent.run(
          id,
          e.waybill,
          e.time,
          e.status,
          e.label === STATUS_LABELS[e.status] ? null : e.label,
          e.description,
          e.location ?? null,
          e.eventId,
          now,
          e.eta ?? null,
          cells,
          personal,
        );
        if (info.changes === 1) {
          outcomes[i] = 'inserted';
          touched.add(e.waybill);
        } else {
          // Only a re-sent event pays for this read: the stored row, compared field by field
          // (the columns as they were bound), and through the fingerprint's text only when a
          // serialised column differs.
          const row = this.#existingEvent.get(id, e.eventId) as EventRow;
          outcomes[i] =
            sameColumns(row, e, cells, personal) || sameEventContent(toStoredEvent(row), e)
              ? 'duplicate'
              : 'conflict';
        }
      }
      this.#logChanges(carrier, touched);
      return outcomes;
    }).immediate;

    this.#setAttributesTx = db.transaction(
      (carrier: string, waybill: string, patch: WaybillAttributesPatch) => {
        this.#setAttributes.run({
          carrier,
          waybill,
          now: this.#clock.now(),
          eta: patch.eta ?? null,
          cells: patch.cells === undefined || patch.cells === null ? null : JSON.stringify(patch.cells),
          destination: patch.destination ?? null,
          set_eta: patch.eta === undefined ? 0 : 1,
          set_cells: patch.cells === undefined ? 0 : 1,
          set_destination: patch.destination === undefined ? 0 : 1,
        });
        this.#logChanges(carrier, [waybill]);
      },
    );

    this.#deleteTx = db.transaction((carrier: string, waybill: string) => {
      const removed = this.#erase(carrier, waybill);
      if (removed === undefined) return undefined;
      this.#logChanges(carrier, [waybill]);
      return removed;
    });

    // Groups of the events index in key order (carrier id, waybill), after the cursor; the newest
    // event of each.
    const walk = db.prepare(`
      SELECT c.name AS carrier, w.waybill, w.last, w.events FROM (
        SELECT carrier, waybill, MAX(time_ms) AS last, COUNT(*) AS events FROM events
        WHERE (carrier, waybill) > (COALESCE((SELECT id FROM carriers WHERE name = ?), -1), ?)
        GROUP BY carrier, waybill ORDER BY carrier, waybill LIMIT ${PURGE_CHUNK}) AS w
      JOIN carriers c ON c.id = w.carrier ORDER BY w.carrier, w.waybill`);
    this.#walkTx = db.transaction((cutoff: number, after: WaybillRef | undefined, scope?: PurgeScope) => {
      const rows = walk.all(after?.carrier ?? '', after?.waybill ?? '') as AgedRow[];
      let waybills = 0;
      let events = 0;
      for (const r of rows) {
        if (r.last >= cutoff || !inPurgeScope(scope, r.carrier)) continue;
        events += this.#erase(r.carrier, r.waybill)?.events ?? 0;
        waybills++;
        this.#logChanges(r.carrier, [r.waybill]);
      }
      const last = rows.length === PURGE_CHUNK ? rows[rows.length - 1] : undefined;
      return {
        removed: { waybills, events },
        last: last && { carrier: last.carrier, waybill: last.waybill },
      };
    });
    const orphans = db.prepare(`
      SELECT carrier, waybill FROM attributes a
      WHERE updated_at < @cutoff AND NOT EXISTS (
        SELECT 1 FROM events e JOIN carriers c ON c.id = e.carrier WHERE c.name = a.carrier AND e.waybill = a.waybill)
        AND (@carrier IS NULL OR carrier = @carrier) AND carrier NOT IN (SELECT value FROM json_each(@except))
      LIMIT ${PURGE_CHUNK}`);
    this.#orphansTx = db.transaction((cutoff: number, scope?: PurgeScope) => {
      const rows = orphans.all({
        cutoff,
        carrier: scope !== undefined && 'carrier' in scope ? scope.carrier : null,
        except: JSON.stringify(scope !== undefined && 'except' in scope ? scope.except : []),
      }) as WaybillRef[];
      for (const r of rows) {
        this.#erase(r.carrier, r.waybill);
        this.#logChanges(r.carrier, [r.waybill]);
      }
      return { waybills: rows.length, events: 0 };
    });

    // One read transaction: the entries and the feed's state come from one snapshot.
    this.#pageTx = db.transaction((after: ChangeMark, limit: number) => {
      const rows = this.#changesAfter.all(after.seq, limit) as ChangeRow[];
      return changePage(after, rows, {
        ...this.#state(),
        tagAtMark: this.#tagAt.get(after.seq) as string | undefined,
      });
    });
  }

  #state(): Omit<FeedState, 'tagAtMark'> {
    const s = this.#feedState.get() as {
      storeId: string;
      prunedThrough: number;
      prunedTag: string;
      newestSeq: number | null;
      newestTag: string | null;
    };
    return {
      storeId: s.storeId,
      prunedThrough: s.prunedThrough,
      prunedTag: s.prunedTag,
      newest: s.newestSeq === null ? undefined : { seq: s.newestSeq, tag: s.newestTag! },
    };
  }

  /**
   * The id of a carrier's name, added when new, inside the caller's write transaction; cached
   * once that transaction commits (an id is never reused: carriers are never deleted).
   */
  #carrierIdFor(carrier: string): number {
    const found = this.#carrierId.get(carrier) as number | undefined;
    if (found !== undefined) {
      this.#carrierIds.set(carrier, found);
      return found;
    }
    const id = Number(this.#addCarrier.run(carrier).lastInsertRowid);
    this.#newCarrier = [carrier, id];
    return id;
  }

  /** A carrier added by the running write transaction: cached only after it commits. */
  #newCarrier: [string, number] | undefined;

  /** Erases a waybill's events, attributes and owners, inside the caller's transaction. */
  #erase(carrier: string, waybill: string): Removed | undefined {
    const events = this.#deleteEvents.run(carrier, waybill).changes;
    const attributes = this.#deleteAttributes.run(carrier, waybill).changes;
    this.#deleteOwners.run(carrier, waybill);
    if (events === 0 && attributes === 0) return undefined;
    return { waybills: 1, events };
  }

  /** Appends one change-log entry per waybill, inside the caller's write transaction. */
  #logChanges(carrier: string, waybills: Iterable<string>): void {
    const list = [...waybills];
    if (list.length === 0) return;
    const tags = newTags(list.length);
    let first = 0;
    let last = 0;
    for (let i = 0; i < list.length; i++) {
      last = Number(this.#appendChange.run(carrier, list[i], tags[i]).lastInsertRowid);
      if (first === 0) first = last;
    }
    const through = pruneThrough(first, last, this.#changeLogKeep);
    if (through === undefined) return;
    const at = this.#pruneAt.get(through) as { seq: number; tag: string } | undefined;
    if (at === undefined) return;
    this.#setPruned.run(at.seq, at.tag, at.seq);
    this.#prune.run(at.seq);
  }

  #open(): void {
    if (this.#closed) throw new Error('store is closed');
  }

  /** Runs a synchronous body as a store call: refused after close, errors as rejections. */
  #call<T>(fn: () => T): Promise<T> {
    try {
      this.#open();
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(err);
    }
  }

  append(carrier: string, events: readonly ScanEvent[]): Promise<IngestOutcome[]> {
    return this.#call(() => {
      this.#newCarrier = undefined;
      try {
        const outcomes = this.#appendTx(carrier, events);
        const added = this.#newCarrier as [string, number] | undefined;
        if (added !== undefined) this.#carrierIds.set(added[0], added[1]);
        return outcomes;
      } finally {
        this.#newCarrier = undefined;
      }
    });
  }

  setAttributes(carrier: string, waybill: string, patch: WaybillAttributesPatch): Promise<void> {
    return this.#call(() => this.#setAttributesTx(carrier, waybill, patch));
  }

  readWaybill(carrier: string, waybill: string): Promise<WaybillState | undefined> {
    return this.#call(() => toWaybillState(this.#readWaybill.all(carrier, waybill) as StateRow[]));
  }

  listWaybills(carrier: string, page: WaybillPage): Promise<string[]> {
    return this.#call(() => {
      if (!Number.isInteger(page.limit) || page.limit < 1)
        throw new RangeError('limit must be a positive integer');
      const after = page.after ?? '';
      return mergePages(
        this.#eventPage.all(carrier, after, page.limit) as string[],
        this.#attributePage.all(carrier, after, page.limit) as string[],
        page.limit,
      );
    });
  }

  countByCarrier(): Promise<ReadonlyMap<string, number>> {
    return this.#call(() => {
      const rows = this.#db
        .prepare(
          `SELECT carrier, COUNT(*) AS n FROM (
             SELECT DISTINCT c.name AS carrier, e.waybill FROM events e JOIN carriers c ON c.id = e.carrier
             UNION SELECT carrier, waybill FROM attributes)
           GROUP BY carrier ORDER BY carrier`,
        )
        .all() as { carrier: string; n: number }[];
      return new Map(rows.map((r) => [r.carrier, r.n]));
    });
  }

  changesSince(after: ChangeMark, limit: number): Promise<ChangePage> {
    return this.#call(() => {
      checkChangesArgs(after, limit);
      return this.#pageTx(after, limit);
    });
  }

  lastChange(): Promise<ChangeMark> {
    return this.#call(() => newestMark(this.#state()));
  }

  deleteWaybill(carrier: string, waybill: string): Promise<Removed | undefined> {
    return this.#call(() => this.#deleteTx(carrier, waybill));
  }

  purgeOlderThan(cutoff: number, scope?: PurgeScope): Promise<Removed> {
    return purgeLoop(
      (after) => this.#call(() => this.#walkTx(cutoff, after, scope)),
      () => this.#call(() => this.#orphansTx(cutoff, scope)),
    );
  }

  countOlderThan(cutoff: number): Promise<Removed> {
    return this.#call(() => {
      const row = this.#db
        .prepare(
          `SELECT COUNT(*) AS waybills, COALESCE(SUM(n), 0) AS events FROM (
             SELECT COUNT(*) AS n FROM events GROUP BY carrier, waybill HAVING MAX(time_ms) < @cutoff
             UNION ALL
             SELECT 0 FROM attributes a WHERE updated_at < @cutoff
               AND NOT EXISTS (SELECT 1 FROM events e JOIN carriers c ON c.id = e.carrier
                               WHERE c.name = a.carrier AND e.waybill = a.waybill))`,
        )
        .get({ cutoff }) as Removed;
      return { waybills: row.waybills, events: row.events };
    });
  }

  addApiKey(key: ApiKeyRecord): Promise<'created' | 'name-taken'> {
    return this.#call(() => {
      try {
        this.#db
          .prepare(
            'INSERT INTO api_keys (id, name, carrier, hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)',
          )
          .run(key.id, key.name, key.carrier, key.hash, key.createdAt, key.revokedAt ?? null);
        return 'created';
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return 'name-taken';
        throw err;
      }
    });
  }

  findApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    return this.#call(() => {
      const row = this.#db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as KeyRow | undefined;
      return row && toApiKey(row);
    });
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.#call(() =>
      (this.#db.prepare('SELECT * FROM api_keys ORDER BY created_at, rowid').all() as KeyRow[]).map(toApiKey),
    );
  }

  revokeApiKey(name: string, at: number): Promise<boolean> {
    return this.#call(
      () =>
        this.#db
          .prepare('UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL')
          .run(at, name).changes > 0,
    );
  }

  // A binding changes which reply its waybill's readers get: one change-log entry, so that every
  // reply view drops the entry that carries the owners (privacy/owned-entry.ts).
  bindOwner(carrier: string, waybill: string, openidHash: string, at: number): Promise<void> {
    return this.#call(() => {
      this.#db.transaction(() => {
        this.#db
          .prepare(
            `INSERT INTO owners (carrier, waybill, openid_hash, bound_at) VALUES (?, ?, ?, ?)
             ON CONFLICT (carrier, waybill, openid_hash) DO UPDATE SET bound_at = excluded.bound_at`,
          )
          .run(carrier, waybill, openidHash, at);
        this.#logChanges(carrier, [waybill]);
      })();
    });
  }

  unbindOwner(carrier: string, waybill: string, openidHash: string): Promise<boolean> {
    return this.#call(() =>
      this.#db.transaction(() => {
        const removed =
          this.#db
            .prepare('DELETE FROM owners WHERE carrier = ? AND waybill = ? AND openid_hash = ?')
            .run(carrier, waybill, openidHash).changes > 0;
        if (removed) this.#logChanges(carrier, [waybill]);
        return removed;
      })(),
    );
  }

  isOwner(carrier: string, waybill: string, openidHash: string): Promise<boolean> {
    return this.#call(
      () =>
        this.#db
          .prepare('SELECT 1 FROM owners WHERE carrier = ? AND waybill = ? AND openid_hash = ?')
          .get(carrier, waybill, openidHash) !== undefined,
    );
  }

  ownersOf(carrier: string, waybill: string): Promise<readonly string[]> {
    return this.#call(
      () =>
        this.#db
          .prepare(
            `SELECT openid_hash FROM owners WHERE carrier = ? AND waybill = ?
             ORDER BY openid_hash LIMIT ${MAX_OWNERS_IN_ENTRY}`,
          )
          .pluck()
          .all(carrier, waybill) as string[],
    );
  }

  ping(): Promise<void> {
    return this.#call(() => void this.#db.prepare('SELECT 1').get());
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#db.close();
    }
    return Promise.resolve();
  }
}
