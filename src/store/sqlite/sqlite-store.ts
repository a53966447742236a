/**
 * @module
 * The embedded default store: SQLite through better-sqlite3 (12.x; 13 needs Node 22).
 *
 * - WAL with `synchronous=FULL`: an acknowledged event survives a power cut, and readers (the
 *   query path) never wait for the writer.
 * - A busy timeout, so an `import` running beside `serve` waits instead of failing.
 * - `mmap_size`: the query path reads one row by primary key; mapping the file turns that into a
 *   memory read instead of a `pread` per page.
 * - The change log is written inside each write transaction; SQLite's single writer makes seq
 *   order commit order.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Clock } from '../../clock/clock.js';
import type { Cell, OrderStatus } from '../../protocol/order-info.js';
import type { ScanEvent, StoredEvent } from '../../tracking/event.js';
import { eventFingerprint } from '../../tracking/fingerprint.js';
import {
  changePage,
  checkChangeLogKeep,
  checkChangesArgs,
  DEFAULT_CHANGE_LOG_KEEP,
  pruneThrough,
  type ChangeRow,
} from '../change-log.js';
import type { Renderer } from '../renderer.js';
import { renderFromEvents, renderWithoutReading } from '../waybill-render.js';
import { DatabaseMissingError } from '../store-errors.js';
import type {
  ApiKeyRecord,
  ChangePage,
  IngestOutcome,
  Removed,
  Store,
  StoredReply,
  WaybillPage,
  WaybillAttributes,
  WaybillAttributesPatch,
  WaybillRecord,
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
  /** Renders a waybill's reply from its events. */
  readonly renderer: Renderer;
  readonly clock: Clock;
  /** How long a writer waits for a lock, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /**
   * Bytes of the file to memory-map for reads. Default 8 GiB, which SQLite clamps to its build's
   * ceiling (2 GiB in better-sqlite3): on a 4 GiB database that took a random reply read from about
   * 10.4 to 8.5 µs of CPU, against 1 GiB.
   */
  readonly mmapBytes?: number;
  /** Open for reading only (no migrations are run; the schema must be current). */
  readonly readonly?: boolean;
  /** Change-log entries to keep (see change-log.ts). Default {@link DEFAULT_CHANGE_LOG_KEEP}. */
  readonly changeLogKeep?: number;
}

interface EventRow {
  seq: number;
  carrier: string;
  event_id: string;
  waybill: string;
  time_ms: number;
  status: number;
  label: string;
  description: string;
  location: string | null;
  eta: string | null;
  cells: string | null;
  ingested_at: number;
  fingerprint: string | null;
}

interface WaybillRow {
  reply: string;
  last_event_at: number;
  updated_at: number;
  eta: string | null;
  cells: string | null;
  destination: string | null;
}

interface KeyRow {
  id: string;
  name: string;
  carrier: string;
  hash: string;
  created_at: number;
  revoked_at: number | null;
}

const toKey = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  name: r.name,
  carrier: r.carrier,
  hash: r.hash,
  createdAt: r.created_at,
  revokedAt: r.revoked_at ?? undefined,
});

const toAttributes = (r: Pick<WaybillRow, 'eta' | 'cells' | 'destination'>): WaybillAttributes => ({
  eta: r.eta ?? undefined,
  cells: r.cells === null ? undefined : (JSON.parse(r.cells) as Cell[]),
  destination: r.destination ?? undefined,
});

interface ChangeStatements {
  readonly append: Database.Statement;
  readonly prune: Database.Statement;
  readonly setPruned: Database.Statement;
  readonly state: Database.Statement;
  readonly page: (after: number, limit: number) => ChangePage;
}

/** Purge works in chunks, each its own transaction, so queries and ingest interleave with it. */
const PURGE_CHUNK = 500;

const toStored = (r: EventRow): StoredEvent => ({
  waybill: r.waybill,
  eventId: r.event_id,
  time: r.time_ms,
  status: r.status as OrderStatus,
  label: r.label,
  description: r.description,
  location: r.location ?? undefined,
  eta: r.eta ?? undefined,
  cells: r.cells === null ? undefined : (JSON.parse(r.cells) as Cell[]),
  seq: r.seq,
  ingestedAt: r.ingested_at,
});

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

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #renderer: Renderer;
  readonly #clock: Clock;
  readonly #changeLogKeep: number;
  #closed = false;
  // Prepared on first use: a read-only store on a database from before the change log can still
  // serve replies.
  #changeStatements: ChangeStatements | undefined;

  readonly #insertEvent: Database.Statement;
  readonly #eventsOf: Database.Statement;
  readonly #upsertWaybill: Database.Statement;
  readonly #replyOf: Database.Statement;
  readonly #dataVersion: Database.Statement;
  readonly #waybillOf: Database.Statement;
  readonly #waybillPage: Database.Statement;
  readonly #ingestTx: (carrier: string, events: readonly ScanEvent[]) => IngestOutcome[];
  readonly #existingEvent: Database.Statement;
  readonly #renderStateOf: Database.Statement;
  readonly #setAttributes: Database.Statement;
  readonly #deleteEvents: Database.Statement;
  readonly #deleteWaybill: Database.Statement;
  readonly #purgeCandidates: Database.Statement;
  readonly #setAttributesTx: (carrier: string, waybill: string, patch: WaybillAttributesPatch) => void;
  readonly #deleteTx: (carrier: string, waybill: string) => Removed | undefined;
  readonly #purgeChunkTx: (cutoff: number) => Removed & { more: boolean };

  constructor(options: SqliteStoreOptions) {
    this.#renderer = options.renderer;
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

    this.#insertEvent = db.prepare(`
      INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at, fingerprint)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (carrier, event_id) DO NOTHING`);
    this.#existingEvent = db.prepare('SELECT * FROM events WHERE carrier = ? AND event_id = ?');
    this.#renderStateOf = db.prepare(
      'SELECT rowid, reply, last_event_at, eta, cells FROM waybills WHERE carrier = ? AND waybill = ?',
    );
    // Creates the waybill when it has no scans yet; the reply is rendered right after.
    this.#setAttributes = db.prepare(`
      INSERT INTO waybills (carrier, waybill, reply, status, last_event_at, updated_at, eta, cells, destination)
      VALUES (@carrier, @waybill, '{}', 0, 0, @now, @eta, @cells, @destination)
      ON CONFLICT (carrier, waybill) DO UPDATE SET
        eta = CASE WHEN @set_eta THEN excluded.eta ELSE eta END,
        cells = CASE WHEN @set_cells THEN excluded.cells ELSE cells END,
        destination = CASE WHEN @set_destination THEN excluded.destination ELSE destination END,
        updated_at = excluded.updated_at`);
    this.#deleteEvents = db.prepare('DELETE FROM events WHERE carrier = ? AND waybill = ?');
    this.#deleteWaybill = db.prepare('DELETE FROM waybills WHERE carrier = ? AND waybill = ?');
    // A waybill without events (last_event_at 0) ages from its last attribute update instead.
    this.#purgeCandidates = db.prepare(`
      SELECT carrier, waybill FROM waybills
      WHERE last_event_at < @cutoff AND NOT (last_event_at = 0 AND updated_at >= @cutoff)
      LIMIT ${PURGE_CHUNK}`);
    this.#eventsOf = db.prepare(
      'SELECT * FROM events WHERE carrier = ? AND waybill = ? ORDER BY time_ms, seq',
    );
    this.#upsertWaybill = db.prepare(`
      INSERT INTO waybills (carrier, waybill, reply, status, last_event_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (carrier, waybill) DO UPDATE SET
        reply = excluded.reply, status = excluded.status,
        last_event_at = excluded.last_event_at, updated_at = excluded.updated_at`);
    // As a BLOB, the reply comes back as bytes: no UTF-8 decode now and no re-encode on write.
    this.#replyOf = db
      .prepare('SELECT CAST(reply AS BLOB) FROM waybills WHERE carrier = ? AND waybill = ?')
      .pluck();
    this.#dataVersion = db.prepare('PRAGMA data_version').pluck();
    this.#waybillOf = db.prepare('SELECT * FROM waybills WHERE carrier = ? AND waybill = ?');
    // Walks the primary key (carrier, waybill): no sort, no extra index.
    this.#waybillPage = db
      .prepare('SELECT waybill FROM waybills WHERE carrier = ? AND waybill > ? ORDER BY waybill LIMIT ?')
      .pluck();

    this.#ingestTx = db.transaction((carrier: string, events: readonly ScanEvent[]) => {
      const now = this.#clock.now();
      const outcomes: IngestOutcome[] = [];
      // The events this call inserted, by waybill: a waybill seen for the first time renders
      // from these alone, without reading them back.
      const touched = new Map<string, StoredEvent[]>();
      for (const e of events) {
        const fingerprint = eventFingerprint(e);
        // Positional binding: measurably cheaper than named parameters on the bulk path.
        const info = this.#insertEvent.run(
          carrier,
          e.eventId,
          e.waybill,
          e.time,
          e.status,
          e.label,
          e.description,
          e.location ?? null,
          e.eta ?? null,
          e.cells === undefined ? null : JSON.stringify(e.cells),
          now,
          fingerprint,
        );
        if (info.changes === 1) {
          outcomes.push('inserted');
          const stored: StoredEvent = {
            waybill: e.waybill,
            eventId: e.eventId,
            time: e.time,
            status: e.status,
            label: e.label,
            description: e.description,
            location: e.location,
            eta: e.eta,
            cells: e.cells,
            seq: Number(info.lastInsertRowid),
            ingestedAt: now,
          };
          const list = touched.get(e.waybill);
          if (list) list.push(stored);
          else touched.set(e.waybill, [stored]);
        } else {
          // Only the rare re-sent event pays for this read.
          const row = this.#existingEvent.get(carrier, e.eventId) as EventRow;
          const stored = row.fingerprint ?? eventFingerprint(toStored(row));
          outcomes.push(stored === fingerprint ? 'duplicate' : 'conflict');
        }
      }
      // In key order: the rows of a time-ordered feed's batch are scattered, and visiting them in
      // B-tree order dirties each page once, in one pass.
      for (const waybill of [...touched.keys()].sort())
        this.#render(carrier, waybill, now, touched.get(waybill));
      this.#logChanges(carrier, touched.keys());
      return outcomes;
    });

    this.#setAttributesTx = db.transaction(
      (carrier: string, waybill: string, patch: WaybillAttributesPatch) => {
        const now = this.#clock.now();
        this.#setAttributes.run({
          carrier,
          waybill,
          now,
          eta: patch.eta ?? null,
          cells: patch.cells === undefined || patch.cells === null ? null : JSON.stringify(patch.cells),
          destination: patch.destination ?? null,
          set_eta: patch.eta === undefined ? 0 : 1,
          set_cells: patch.cells === undefined ? 0 : 1,
          set_destination: patch.destination === undefined ? 0 : 1,
        });
        this.#render(carrier, waybill, now);
        this.#logChanges(carrier, [waybill]);
      },
    );

    this.#deleteTx = db.transaction((carrier: string, waybill: string) => {
      const events = this.#deleteEvents.run(carrier, waybill).changes;
      const waybills = this.#deleteWaybill.run(carrier, waybill).changes;
      if (waybills === 0 && events === 0) return undefined;
      this.#logChanges(carrier, [waybill]);
      return { waybills, events };
    });

    this.#purgeChunkTx = db.transaction((cutoff: number) => {
      const rows = this.#purgeCandidates.all({ cutoff }) as { carrier: string; waybill: string }[];
      let events = 0;
      for (const r of rows) {
        events += this.#deleteEvents.run(r.carrier, r.waybill).changes;
        this.#deleteWaybill.run(r.carrier, r.waybill);
        this.#logChanges(r.carrier, [r.waybill]);
      }
      return { waybills: rows.length, events, more: rows.length === PURGE_CHUNK };
    });
  }

  #changes(): ChangeStatements {
    if (this.#changeStatements) return this.#changeStatements;
    const db = this.#db;
    const read = db.prepare('SELECT seq, carrier, waybill FROM changes WHERE seq > ? ORDER BY seq LIMIT ?');
    const state = db.prepare(
      'SELECT pruned_through AS prunedThrough, MAX(pruned_through, (SELECT COALESCE(MAX(seq), 0) FROM changes)) AS newest FROM change_log',
    );
    this.#changeStatements = {
      append: db.prepare('INSERT INTO changes (carrier, waybill) VALUES (?, ?)'),
      prune: db.prepare('DELETE FROM changes WHERE seq <= ?'),
      setPruned: db.prepare('UPDATE change_log SET pruned_through = MAX(pruned_through, ?)'),
      state,
      // One read transaction: the entries and the prune state come from one snapshot.
      page: db.transaction((after: number, limit: number) => {
        const rows = read.all(after, limit) as ChangeRow[];
        const s = state.get() as { prunedThrough: number; newest: number };
        return changePage(after, rows, s.prunedThrough, s.newest);
      }),
    };
    return this.#changeStatements;
  }

  /** Appends one change-log entry per waybill, inside the caller's write transaction. */
  #logChanges(carrier: string, waybills: Iterable<string>): void {
    const c = this.#changes();
    let first = 0;
    let last = 0;
    for (const w of waybills) {
      last = Number(c.append.run(carrier, w).lastInsertRowid);
      if (first === 0) first = last;
    }
    if (first === 0) return;
    const through = pruneThrough(first, last, this.#changeLogKeep);
    if (through !== undefined) {
      c.prune.run(through);
      c.setPruned.run(through);
    }
  }

  /**
   * Re-renders a waybill's reply. `inserted` are events this transaction just stored: when the
   * waybill has no row yet, they are all its events (a waybill's events and its row are written
   * and erased together), so bulk loads of new waybills skip reading them back.
   */
  #render(carrier: string, waybill: string, now: number, inserted?: readonly StoredEvent[]): void {
    const row = this.#renderStateOf.get(carrier, waybill) as
      { reply: string; last_event_at: number; eta: string | null; cells: string | null } | undefined;
    const state = row && { reply: row.reply, lastEventAt: row.last_event_at, eta: row.eta, cells: row.cells };
    const r =
      renderWithoutReading(this.#renderer, carrier, state, inserted) ??
      renderFromEvents(
        this.#renderer,
        carrier,
        state,
        (this.#eventsOf.all(carrier, waybill) as EventRow[]).map(toStored),
      );
    this.#upsertWaybill.run(carrier, waybill, r.json, r.status, r.lastEventAt, now);
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

  setWaybillAttributes(
    carrier: string,
    waybill: string,
    patch: WaybillAttributesPatch,
  ): Promise<WaybillRecord> {
    return this.#call(() => {
      this.#setAttributesTx(carrier, waybill, patch);
      return this.#record(carrier, waybill)!;
    });
  }

  deleteWaybill(carrier: string, waybill: string): Promise<Removed | undefined> {
    return this.#call(() => this.#deleteTx(carrier, waybill));
  }

  async purgeOlderThan(cutoff: number): Promise<Removed> {
    let waybills = 0;
    let events = 0;
    for (;;) {
      const chunk = await this.#call(() => this.#purgeChunkTx(cutoff));
      waybills += chunk.waybills;
      events += chunk.events;
      if (!chunk.more) return { waybills, events };
      // Let the event loop serve queries between chunks.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  countOlderThan(cutoff: number): Promise<Removed> {
    return this.#call(() => {
      const row = this.#db
        .prepare(
          `SELECT COUNT(*) AS waybills,
             COALESCE(SUM((SELECT COUNT(*) FROM events e WHERE e.carrier = w.carrier AND e.waybill = w.waybill)), 0) AS events
           FROM waybills w
           WHERE last_event_at < @cutoff AND NOT (last_event_at = 0 AND updated_at >= @cutoff)`,
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
      return row && toKey(row);
    });
  }

  listApiKeys(): Promise<ApiKeyRecord[]> {
    return this.#call(() =>
      (this.#db.prepare('SELECT * FROM api_keys ORDER BY created_at, rowid').all() as KeyRow[]).map(toKey),
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

  #record(carrier: string, waybill: string): WaybillRecord | undefined {
    const row = this.#waybillOf.get(carrier, waybill) as WaybillRow | undefined;
    if (!row) return undefined;
    const events = (this.#eventsOf.all(carrier, waybill) as EventRow[]).map(toStored);
    return {
      carrier,
      waybill,
      replyJson: row.reply,
      lastEventAt: row.last_event_at,
      updatedAt: row.updated_at,
      events,
      attributes: toAttributes(row),
    };
  }

  #open(): void {
    if (this.#closed) throw new Error('store is closed');
  }

  ingest(carrier: string, events: readonly ScanEvent[]): Promise<IngestOutcome[]> {
    try {
      this.#open();
      return Promise.resolve(this.#ingestTx(carrier, events));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  getReply(carrier: string, waybill: string): Promise<StoredReply | undefined> {
    try {
      this.#open();
      const json = this.#replyOf.get(carrier, waybill) as Buffer | undefined;
      return Promise.resolve(json === undefined ? undefined : { json });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  getWaybill(carrier: string, waybill: string): Promise<WaybillRecord | undefined> {
    return this.#call(() => this.#record(carrier, waybill));
  }

  /** SQLite's `data_version`: it moves when another connection commits. */
  changeCounter(): number {
    this.#open();
    return this.#dataVersion.get() as number;
  }

  changesSince(after: number, limit: number): Promise<ChangePage> {
    return this.#call(() => {
      checkChangesArgs(after, limit);
      return this.#changes().page(after, limit);
    });
  }

  lastChange(): Promise<number> {
    return this.#call(() => (this.#changes().state.get() as { newest: number }).newest);
  }

  listWaybills(carrier: string, page: WaybillPage): Promise<string[]> {
    try {
      this.#open();
      if (!Number.isInteger(page.limit) || page.limit < 1)
        throw new RangeError('limit must be a positive integer');
      return Promise.resolve(this.#waybillPage.all(carrier, page.after ?? '', page.limit) as string[]);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  ping(): Promise<void> {
    try {
      this.#open();
      this.#db.prepare('SELECT 1').get();
      return Promise.resolve();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#db.close();
    }
    return Promise.resolve();
  }
}
