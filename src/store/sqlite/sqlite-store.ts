/**
 * @module
 * The embedded default store: SQLite through better-sqlite3 (12.x; 13 needs Node 22).
 *
 * - WAL with `synchronous=FULL`: an acknowledged event survives a power cut, and readers (the
 *   query path) never wait for the writer.
 * - A busy timeout, so an `import` running beside `serve` waits instead of failing.
 * - `mmap_size`: the query path reads one row by primary key; mapping the file turns that into a
 *   memory read instead of a `pread` per page.
 */
import Database from 'better-sqlite3';
import type { Clock } from '../../clock/clock.js';
import type { Cell, OrderStatus } from '../../protocol/order-info.js';
import type { ScanEvent, StoredEvent } from '../../tracking/event.js';
import type { Renderer } from '../renderer.js';
import type { IngestOutcome, Store, StoredReply, WaybillPage, WaybillRecord } from '../store.js';
import { SQLITE_MIGRATIONS, type Migration } from './sqlite-migrations.js';

export interface SqliteStoreOptions {
  /** Database file, or `:memory:`. The folder must exist. */
  readonly path: string;
  /** Renders a waybill's reply from its events. */
  readonly renderer: Renderer;
  readonly clock: Clock;
  /** How long a writer waits for a lock, ms. Default 5000. */
  readonly busyTimeoutMs?: number;
  /** Bytes of the file to memory-map for reads. Default 1 GiB. */
  readonly mmapBytes?: number;
  /** Open for reading only (no migrations are run; the schema must be current). */
  readonly readonly?: boolean;
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
}

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
  const current =
    (db.prepare('SELECT COALESCE(MAX(version), 0) FROM schema_migrations').pluck().get() as number) ?? 0;
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  let applied = 0;
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.version, m.name, Date.now());
    })();
    applied++;
  }
  return applied;
}

export class SqliteStore implements Store {
  readonly #db: Database.Database;
  readonly #renderer: Renderer;
  readonly #clock: Clock;
  #closed = false;

  readonly #insertEvent: Database.Statement;
  readonly #eventsOf: Database.Statement;
  readonly #upsertWaybill: Database.Statement;
  readonly #replyOf: Database.Statement;
  readonly #dataVersion: Database.Statement;
  readonly #waybillOf: Database.Statement;
  readonly #waybillPage: Database.Statement;
  readonly #ingestTx: (carrier: string, events: readonly ScanEvent[]) => IngestOutcome[];

  constructor(options: SqliteStoreOptions) {
    this.#renderer = options.renderer;
    this.#clock = options.clock;
    const db = new Database(options.path, { readonly: options.readonly ?? false });
    this.#db = db;
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      migrate(db);
    }
    db.pragma(`mmap_size = ${Math.trunc(options.mmapBytes ?? 1 << 30)}`);

    this.#insertEvent = db.prepare(`
      INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at)
      VALUES (@carrier, @event_id, @waybill, @time_ms, @status, @label, @description, @location, @eta, @cells, @ingested_at)
      ON CONFLICT (carrier, event_id) DO NOTHING`);
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
      const touched = new Set<string>();
      for (const e of events) {
        const info = this.#insertEvent.run({
          carrier,
          event_id: e.eventId,
          waybill: e.waybill,
          time_ms: e.time,
          status: e.status,
          label: e.label,
          description: e.description,
          location: e.location ?? null,
          eta: e.eta ?? null,
          cells: e.cells === undefined ? null : JSON.stringify(e.cells),
          ingested_at: now,
        });
        if (info.changes === 1) {
          outcomes.push('inserted');
          touched.add(e.waybill);
        } else {
          outcomes.push('duplicate');
        }
      }
      for (const waybill of touched) this.#render(carrier, waybill, now);
      return outcomes;
    });
  }

  #render(carrier: string, waybill: string, now: number): void {
    const events = (this.#eventsOf.all(carrier, waybill) as EventRow[]).map(toStored);
    const r = this.#renderer(carrier, events);
    this.#upsertWaybill.run(carrier, waybill, r.json, r.status, r.lastEventAt, now);
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
    try {
      this.#open();
      const row = this.#waybillOf.get(carrier, waybill) as
        { reply: string; last_event_at: number; updated_at: number } | undefined;
      if (!row) return Promise.resolve(undefined);
      const events = (this.#eventsOf.all(carrier, waybill) as EventRow[]).map(toStored);
      return Promise.resolve({
        carrier,
        waybill,
        replyJson: row.reply,
        lastEventAt: row.last_event_at,
        updatedAt: row.updated_at,
        events,
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** SQLite's `data_version`: it moves when another connection commits. */
  changeCounter(): number {
    this.#open();
    return this.#dataVersion.get() as number;
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
