/**
 * @module
 * The store for several gateway nodes: PostgreSQL, through an injected pool (postgres-driver.ts).
 * Same contract as SQLite (store.case.test.ts), same renderer, byte-identical replies.
 *
 * Every write is one transaction, safe when several nodes write the same waybill at once:
 *
 * 1. It first takes a transaction-level advisory lock per waybill it touches
 *    (`pg_advisory_xact_lock`), in ascending key order, so writers to one waybill queue up (even
 *    for a waybill that has no row yet, which `SELECT … FOR UPDATE` could not lock) and two
 *    writers never wait on each other in a cycle.
 * 2. Under those locks it inserts events (`ON CONFLICT DO NOTHING`: an event is stored once,
 *    whoever sends it) and re-renders from the stored reply or from all the waybill's events,
 *    which no one else can change meanwhile: the reply shows every stored event.
 * 3. Last, it takes the schema's change-log lock and appends its change entries. That lock is
 *    held until COMMIT, so the next writer draws its seq only after this one is visible: seq
 *    order is commit order, and a reader that saw seq n never misses a write below n (a plain
 *    sequence is drawn at insert time, so a slow transaction could commit a lower seq late).
 *
 * The rare deadlock that remains (two batches re-sending each other's event ids for different
 * waybills) is detected by PostgreSQL and the write retried. Other errors propagate as
 * rejections: the gateway answers 50001 and fails closed.
 */
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
} from '../change-log.js';
import type { Renderer } from '../renderer.js';
import type {
  ApiKeyRecord,
  ChangePage,
  IngestOutcome,
  Removed,
  Store,
  StoredReply,
  WaybillAttributesPatch,
  WaybillPage,
  WaybillRecord,
  WaybillRef,
} from '../store.js';
import { renderFromEvents, renderWithoutReading, type RenderState } from '../waybill-render.js';
import { lockKey, sqlState, type PgClient, type PgPool, type PgQueryable } from './postgres-driver.js';
import { currentSchema, migratePostgres, schemaLocks } from './postgres-migrations.js';

export interface PostgresStoreOptions {
  /** Connections to the database; the store's tables live in its connections' current schema. */
  readonly pool: PgPool;
  readonly renderer: Renderer;
  readonly clock: Clock;
  /** Run the migrations on open. Default true. */
  readonly migrate?: boolean;
  /** Change-log entries to keep (see change-log.ts). Default {@link DEFAULT_CHANGE_LOG_KEEP}. */
  readonly changeLogKeep?: number;
  /** End the pool when the store closes. Default true. */
  readonly endPoolOnClose?: boolean;
}

interface EventRow {
  seq: string;
  event_id: string;
  waybill: string;
  time_ms: string;
  status: number;
  label: string;
  description: string;
  location: string | null;
  eta: string | null;
  cells: string | null;
  ingested_at: string;
}

interface StateRow {
  waybill: string;
  reply: string;
  last_event_at: string;
  eta: string | null;
  cells: string | null;
}

interface WaybillRow extends StateRow {
  updated_at: string;
  destination: string | null;
}

interface KeyRow {
  id: string;
  name: string;
  carrier: string;
  hash: string;
  created_at: string;
  revoked_at: string | null;
}

const toStored = (r: EventRow): StoredEvent => ({
  waybill: r.waybill,
  eventId: r.event_id,
  time: Number(r.time_ms),
  status: r.status as OrderStatus,
  label: r.label,
  description: r.description,
  location: r.location ?? undefined,
  eta: r.eta ?? undefined,
  cells: r.cells === null ? undefined : (JSON.parse(r.cells) as Cell[]),
  seq: Number(r.seq),
  ingestedAt: Number(r.ingested_at),
});

const toState = (r: StateRow): RenderState => ({
  reply: r.reply,
  lastEventAt: Number(r.last_event_at),
  eta: r.eta,
  cells: r.cells,
});

const toKey = (r: KeyRow): ApiKeyRecord => ({
  id: r.id,
  name: r.name,
  carrier: r.carrier,
  hash: r.hash,
  createdAt: Number(r.created_at),
  revokedAt: r.revoked_at === null ? undefined : Number(r.revoked_at),
});

/** Purge works in chunks, each its own transaction, so queries and ingest interleave with it. */
const PURGE_CHUNK = 500;

/** Tries of a write that PostgreSQL aborted to break a deadlock. */
const WRITE_TRIES = 5;

const EVENT_COLUMNS =
  'seq, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at';

/** Rolls back on error; a deadlock victim is retried (SQLSTATE 40P01, or 40001 on a serialization failure). */
const RETRYABLE = new Set(['40P01', '40001']);

export class PostgresStore implements Store {
  readonly #pool: PgPool;
  readonly #renderer: Renderer;
  readonly #clock: Clock;
  readonly #keep: number;
  readonly #endPool: boolean;
  readonly #locks: ReturnType<typeof schemaLocks>;
  #closed = false;
  #counter = 0;

  private constructor(options: PostgresStoreOptions, schema: string) {
    this.#pool = options.pool;
    this.#renderer = options.renderer;
    this.#clock = options.clock;
    this.#keep = checkChangeLogKeep(options.changeLogKeep ?? DEFAULT_CHANGE_LOG_KEEP);
    this.#endPool = options.endPoolOnClose ?? true;
    this.#locks = schemaLocks(schema);
  }

  /** Opens the store: migrates the schema (unless told not to) and checks the server answers. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    checkChangeLogKeep(options.changeLogKeep ?? DEFAULT_CHANGE_LOG_KEEP);
    try {
      if (options.migrate ?? true) await migratePostgres(options.pool);
      return new PostgresStore(options, await currentSchema(options.pool));
    } catch (err) {
      if (options.endPoolOnClose ?? true) await options.pool.end().catch(() => undefined);
      throw err;
    }
  }

  #open(): void {
    if (this.#closed) throw new Error('store is closed');
  }

  /** Runs `body` in one transaction on one connection, retrying a deadlock victim. */
  async #tx<T>(body: (c: PgClient) => Promise<T>): Promise<T> {
    this.#open();
    for (let attempt = 1; ; attempt++) {
      const c = await this.#pool.connect();
      let broken: Error | undefined;
      try {
        await c.query({ text: 'BEGIN' });
        const out = await body(c);
        await c.query({ text: 'COMMIT' });
        return out;
      } catch (err) {
        await c.query({ text: 'ROLLBACK' }).catch((e: unknown) => {
          broken = e instanceof Error ? e : new Error(String(e));
        });
        const state = sqlState(err);
        if (state === undefined || !RETRYABLE.has(state) || attempt >= WRITE_TRIES) throw err;
      } finally {
        c.release(broken);
      }
    }
  }

  /** Queues this transaction behind every other writer of these waybills (see the module doc). */
  async #lockWaybills(c: PgClient, refs: readonly WaybillRef[]): Promise<void> {
    const keys = [...new Set(refs.map((r) => lockKey(`${r.carrier}\n${r.waybill}`)))].sort((a, b) => a - b);
    if (keys.length === 0) return;
    // unnest yields the keys in array order, and each row's lock is taken as the row is read.
    await c.query({
      name: 'wxtrack_lock_waybills',
      text: 'SELECT count(*) FROM (SELECT pg_advisory_xact_lock($1::int4, k) FROM unnest($2::int4[]) AS k) AS locked',
      values: [this.#locks.waybill, keys],
    });
  }

  /** The last step of a write transaction: its change entries, in commit order. */
  async #logChanges(c: PgClient, refs: readonly WaybillRef[]): Promise<void> {
    if (refs.length === 0) return;
    await c.query({
      name: 'wxtrack_lock_changes',
      text: 'SELECT pg_advisory_xact_lock($1::int4, 0)',
      values: [this.#locks.changes],
    });
    const { rows } = await c.query({
      name: 'wxtrack_append_changes',
      text: `INSERT INTO changes (carrier, waybill)
             SELECT carrier, waybill FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(carrier, waybill, ord)
             ORDER BY ord
             RETURNING seq`,
      values: [refs.map((r) => r.carrier), refs.map((r) => r.waybill)],
    });
    let first = Infinity;
    let last = 0;
    for (const r of rows as { seq: string }[]) {
      const seq = Number(r.seq);
      if (seq < first) first = seq;
      if (seq > last) last = seq;
    }
    const through = pruneThrough(first, last, this.#keep);
    if (through === undefined) return;
    await c.query({ text: 'DELETE FROM changes WHERE seq <= $1', values: [through] });
    await c.query({
      text: 'UPDATE change_log SET pruned_through = GREATEST(pruned_through, $1)',
      values: [through],
    });
  }

  async #statesOf(
    c: PgQueryable,
    carrier: string,
    waybills: readonly string[],
  ): Promise<Map<string, RenderState>> {
    const { rows } = await c.query({
      name: 'wxtrack_render_states',
      text: 'SELECT waybill, reply, last_event_at, eta, cells FROM waybills WHERE carrier = $1 AND waybill = ANY($2::text[])',
      values: [carrier, waybills],
    });
    return new Map((rows as StateRow[]).map((r) => [r.waybill, toState(r)]));
  }

  async #eventsOf(
    c: PgQueryable,
    carrier: string,
    waybills: readonly string[],
  ): Promise<Map<string, StoredEvent[]>> {
    const { rows } = await c.query({
      name: 'wxtrack_events_of',
      text: `SELECT ${EVENT_COLUMNS} FROM events WHERE carrier = $1 AND waybill = ANY($2::text[])
             ORDER BY waybill, time_ms, seq`,
      values: [carrier, waybills],
    });
    const out = new Map<string, StoredEvent[]>();
    for (const r of rows as EventRow[]) {
      const e = toStored(r);
      const list = out.get(e.waybill);
      if (list) list.push(e);
      else out.set(e.waybill, [e]);
    }
    return out;
  }

  /**
   * Re-renders waybills of one carrier, under their locks. `inserted` maps each waybill to the
   * events this transaction stored for it (absent for an attribute change).
   */
  async #render(
    c: PgClient,
    carrier: string,
    waybills: readonly string[],
    now: number,
    inserted?: ReadonlyMap<string, readonly StoredEvent[]>,
  ): Promise<void> {
    const states = await this.#statesOf(c, carrier, waybills);
    const replies = new Map<string, { json: string; status: number; lastEventAt: number }>();
    const full: string[] = [];
    for (const w of waybills) {
      const r = renderWithoutReading(this.#renderer, carrier, states.get(w), inserted?.get(w));
      if (r) replies.set(w, r);
      else full.push(w);
    }
    if (full.length > 0) {
      const events = await this.#eventsOf(c, carrier, full);
      for (const w of full) {
        replies.set(w, renderFromEvents(this.#renderer, carrier, states.get(w), events.get(w) ?? []));
      }
    }
    const list = [...replies];
    await c.query({
      name: 'wxtrack_upsert_replies',
      text: `INSERT INTO waybills (carrier, waybill, reply, status, last_event_at, updated_at)
             SELECT $1, w, r, s, l, $2 FROM unnest($3::text[], $4::text[], $5::int2[], $6::int8[]) AS u(w, r, s, l)
             ON CONFLICT (carrier, waybill) DO UPDATE SET
               reply = excluded.reply, status = excluded.status,
               last_event_at = excluded.last_event_at, updated_at = excluded.updated_at`,
      values: [
        carrier,
        now,
        list.map(([w]) => w),
        list.map(([, r]) => r.json),
        list.map(([, r]) => r.status),
        list.map(([, r]) => r.lastEventAt),
      ],
    });
  }

  async ingest(carrier: string, events: readonly ScanEvent[]): Promise<IngestOutcome[]> {
    this.#open();
    if (events.length === 0) return [];
    // The first of each event_id goes to the database; a repeat within the batch is told
    // apart from it here.
    const fingerprints = events.map(eventFingerprint);
    const firstOf = new Map<string, number>();
    events.forEach((e, i) => {
      if (!firstOf.has(e.eventId)) firstOf.set(e.eventId, i);
    });
    const unique = [...firstOf.values()].map((i) => events[i]!);
    const uniquePrints = [...firstOf.values()].map((i) => fingerprints[i]!);

    return this.#tx(async (c) => {
      const now = this.#clock.now();
      const waybills = [...new Set(unique.map((e) => e.waybill))];
      await this.#lockWaybills(
        c,
        waybills.map((waybill) => ({ carrier, waybill })),
      );
      const { rows } = await c.query({
        name: 'wxtrack_insert_events',
        text: `INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at, fingerprint)
               SELECT $1, event_id, waybill, time_ms, status, label, description, location, eta, cells, $2, fingerprint
               FROM unnest($3::text[], $4::text[], $5::int8[], $6::int2[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
                 WITH ORDINALITY AS u(event_id, waybill, time_ms, status, label, description, location, eta, cells, fingerprint, ord)
               ORDER BY ord
               ON CONFLICT (carrier, event_id) DO NOTHING
               RETURNING event_id, seq`,
        values: [
          carrier,
          now,
          unique.map((e) => e.eventId),
          unique.map((e) => e.waybill),
          unique.map((e) => e.time),
          unique.map((e) => e.status),
          unique.map((e) => e.label),
          unique.map((e) => e.description),
          unique.map((e) => e.location ?? null),
          unique.map((e) => e.eta ?? null),
          unique.map((e) => (e.cells === undefined ? null : JSON.stringify(e.cells))),
          uniquePrints,
        ],
      });
      const seqOf = new Map(
        (rows as { event_id: string; seq: string }[]).map((r) => [r.event_id, Number(r.seq)]),
      );
      // Stored before this call: their fingerprints decide duplicate or conflict.
      const earlier = unique.filter((e) => !seqOf.has(e.eventId)).map((e) => e.eventId);
      const storedPrint = new Map<string, string>();
      if (earlier.length > 0) {
        const found = await c.query({
          name: 'wxtrack_fingerprints',
          text: 'SELECT event_id, fingerprint FROM events WHERE carrier = $1 AND event_id = ANY($2::text[])',
          values: [carrier, earlier],
        });
        for (const r of found.rows as { event_id: string; fingerprint: string }[]) {
          storedPrint.set(r.event_id, r.fingerprint);
        }
      }

      const outcomes: IngestOutcome[] = [];
      const touched = new Map<string, StoredEvent[]>();
      events.forEach((e, i) => {
        const first = firstOf.get(e.eventId)!;
        const seq = seqOf.get(e.eventId);
        if (i === first && seq !== undefined) {
          outcomes.push('inserted');
          const stored: StoredEvent = { ...e, seq, ingestedAt: now };
          const list = touched.get(e.waybill);
          if (list) list.push(stored);
          else touched.set(e.waybill, [stored]);
          return;
        }
        const kept = seq !== undefined ? fingerprints[first] : storedPrint.get(e.eventId);
        outcomes.push(kept === fingerprints[i] ? 'duplicate' : 'conflict');
      });
      if (touched.size > 0) {
        await this.#render(c, carrier, [...touched.keys()], now, touched);
        await this.#logChanges(
          c,
          [...touched.keys()].map((waybill) => ({ carrier, waybill })),
        );
      }
      return outcomes;
    });
  }

  async getReply(carrier: string, waybill: string): Promise<StoredReply | undefined> {
    this.#open();
    const { rows } = await this.#pool.query({
      name: 'wxtrack_reply',
      text: "SELECT convert_to(reply, 'UTF8') AS json FROM waybills WHERE carrier = $1 AND waybill = $2",
      values: [carrier, waybill],
    });
    const row = rows[0] as { json: Buffer } | undefined;
    return row && { json: row.json };
  }

  async #record(c: PgQueryable, carrier: string, waybill: string): Promise<WaybillRecord | undefined> {
    const { rows } = await c.query({
      text: `SELECT waybill, reply, last_event_at, updated_at, eta, cells, destination
             FROM waybills WHERE carrier = $1 AND waybill = $2`,
      values: [carrier, waybill],
    });
    const row = rows[0] as WaybillRow | undefined;
    if (!row) return undefined;
    const events = (await this.#eventsOf(c, carrier, [waybill])).get(waybill) ?? [];
    return {
      carrier,
      waybill,
      replyJson: row.reply,
      lastEventAt: Number(row.last_event_at),
      updatedAt: Number(row.updated_at),
      events,
      attributes: {
        eta: row.eta ?? undefined,
        cells: row.cells === null ? undefined : (JSON.parse(row.cells) as Cell[]),
        destination: row.destination ?? undefined,
      },
    };
  }

  async getWaybill(carrier: string, waybill: string): Promise<WaybillRecord | undefined> {
    // One snapshot for the row and its events.
    return this.#tx(async (c) => {
      await c.query({ text: 'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY' });
      return this.#record(c, carrier, waybill);
    });
  }

  /**
   * PostgreSQL gives no cheap synchronous signal of other nodes' commits: a new value on every
   * call, so a cache keyed on it never serves a stale reply. Readers use the change log instead.
   */
  changeCounter(): number {
    this.#open();
    return ++this.#counter;
  }

  async changesSince(after: number, limit: number): Promise<ChangePage> {
    this.#open();
    checkChangesArgs(after, limit);
    // One statement, one snapshot: the entries and the prune state agree.
    const { rows } = await this.#pool.query({
      name: 'wxtrack_changes_since',
      text: `WITH state AS (
               SELECT pruned_through, GREATEST(pruned_through, COALESCE((SELECT MAX(seq) FROM changes), 0)) AS newest
               FROM change_log),
             page AS (SELECT seq, carrier, waybill FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2)
             SELECT s.pruned_through, s.newest, p.seq, p.carrier, p.waybill
             FROM state s LEFT JOIN page p ON true ORDER BY p.seq`,
      values: [after, limit],
    });
    const all = rows as {
      pruned_through: string;
      newest: string;
      seq: string | null;
      carrier: string | null;
      waybill: string | null;
    }[];
    const state = all[0]!;
    const entries = all
      .filter((r) => r.seq !== null)
      .map((r) => ({ seq: Number(r.seq), carrier: r.carrier!, waybill: r.waybill! }));
    return changePage(after, entries, Number(state.pruned_through), Number(state.newest));
  }

  async lastChange(): Promise<number> {
    this.#open();
    const { rows } = await this.#pool.query({
      name: 'wxtrack_last_change',
      text: `SELECT GREATEST(pruned_through, COALESCE((SELECT MAX(seq) FROM changes), 0)) AS newest FROM change_log`,
    });
    return Number((rows[0] as { newest: string }).newest);
  }

  async listWaybills(carrier: string, page: WaybillPage): Promise<string[]> {
    this.#open();
    if (!Number.isInteger(page.limit) || page.limit < 1)
      throw new RangeError('limit must be a positive integer');
    const { rows } = await this.#pool.query({
      name: 'wxtrack_list_waybills',
      text: 'SELECT waybill FROM waybills WHERE carrier = $1 AND waybill > $2 ORDER BY waybill LIMIT $3',
      values: [carrier, page.after ?? '', page.limit],
    });
    return (rows as { waybill: string }[]).map((r) => r.waybill);
  }

  async setWaybillAttributes(
    carrier: string,
    waybill: string,
    patch: WaybillAttributesPatch,
  ): Promise<WaybillRecord> {
    return this.#tx(async (c) => {
      const now = this.#clock.now();
      await this.#lockWaybills(c, [{ carrier, waybill }]);
      // Creates the waybill when it has no scans yet; the reply is rendered right after.
      await c.query({
        name: 'wxtrack_set_attributes',
        text: `INSERT INTO waybills (carrier, waybill, reply, status, last_event_at, updated_at, eta, cells, destination)
               VALUES ($1, $2, '{}', 0, 0, $3, $4, $5, $6)
               ON CONFLICT (carrier, waybill) DO UPDATE SET
                 eta = CASE WHEN $7 THEN excluded.eta ELSE waybills.eta END,
                 cells = CASE WHEN $8 THEN excluded.cells ELSE waybills.cells END,
                 destination = CASE WHEN $9 THEN excluded.destination ELSE waybills.destination END,
                 updated_at = excluded.updated_at`,
        values: [
          carrier,
          waybill,
          now,
          patch.eta ?? null,
          patch.cells === undefined || patch.cells === null ? null : JSON.stringify(patch.cells),
          patch.destination ?? null,
          patch.eta !== undefined,
          patch.cells !== undefined,
          patch.destination !== undefined,
        ],
      });
      await this.#render(c, carrier, [waybill], now);
      await this.#logChanges(c, [{ carrier, waybill }]);
      return (await this.#record(c, carrier, waybill))!;
    });
  }

  /** Deletes waybills (already locked) with their events; returns those that existed. */
  async #erase(c: PgClient, refs: readonly WaybillRef[]): Promise<{ gone: WaybillRef[]; events: number }> {
    const carriers = refs.map((r) => r.carrier);
    const waybills = refs.map((r) => r.waybill);
    const ev = await c.query({
      name: 'wxtrack_erase_events',
      text: `DELETE FROM events e USING unnest($1::text[], $2::text[]) AS u(carrier, waybill)
             WHERE e.carrier = u.carrier AND e.waybill = u.waybill`,
      values: [carriers, waybills],
    });
    const wb = await c.query({
      name: 'wxtrack_erase_waybills',
      text: `DELETE FROM waybills w USING unnest($1::text[], $2::text[]) AS u(carrier, waybill)
             WHERE w.carrier = u.carrier AND w.waybill = u.waybill
             RETURNING w.carrier, w.waybill`,
      values: [carriers, waybills],
    });
    return { gone: wb.rows as WaybillRef[], events: ev.rowCount ?? 0 };
  }

  async deleteWaybill(carrier: string, waybill: string): Promise<Removed | undefined> {
    return this.#tx(async (c) => {
      const ref = { carrier, waybill };
      await this.#lockWaybills(c, [ref]);
      const { gone, events } = await this.#erase(c, [ref]);
      if (gone.length === 0 && events === 0) return undefined;
      await this.#logChanges(c, [ref]);
      return { waybills: gone.length, events };
    });
  }

  async countOlderThan(cutoff: number): Promise<Removed> {
    this.#open();
    const { rows } = await this.#pool.query({
      text: `SELECT COUNT(*)::bigint AS waybills,
               COALESCE(SUM((SELECT COUNT(*) FROM events e WHERE e.carrier = w.carrier AND e.waybill = w.waybill)), 0)::bigint AS events
             FROM waybills w
             WHERE last_event_at < $1 AND NOT (last_event_at = 0 AND updated_at >= $1)`,
      values: [cutoff],
    });
    const row = rows[0] as { waybills: string | number; events: string | number };
    return { waybills: Number(row.waybills), events: Number(row.events) };
  }

  async purgeOlderThan(cutoff: number): Promise<Removed> {
    this.#open();
    let waybills = 0;
    let events = 0;
    for (;;) {
      const chunk = await this.#tx(async (c) => {
        // A waybill without events (last_event_at 0) ages from its last attribute update instead.
        const aged = `last_event_at < $1 AND NOT (last_event_at = 0 AND updated_at >= $1)`;
        const found = await c.query({
          text: `SELECT carrier, waybill FROM waybills WHERE ${aged} LIMIT ${PURGE_CHUNK}`,
          values: [cutoff],
        });
        const candidates = found.rows as WaybillRef[];
        await this.#lockWaybills(c, candidates);
        // Under the locks: a waybill that got a new scan meanwhile stays.
        const still = await c.query({
          text: `SELECT w.carrier, w.waybill FROM waybills w
                 JOIN unnest($2::text[], $3::text[]) AS u(carrier, waybill)
                   ON w.carrier = u.carrier AND w.waybill = u.waybill
                 WHERE ${aged}`,
          values: [cutoff, candidates.map((r) => r.carrier), candidates.map((r) => r.waybill)],
        });
        const refs = still.rows as WaybillRef[];
        const { gone, events: removed } = await this.#erase(c, refs);
        await this.#logChanges(c, gone);
        return { waybills: gone.length, events: removed, more: candidates.length === PURGE_CHUNK };
      });
      waybills += chunk.waybills;
      events += chunk.events;
      if (!chunk.more) return { waybills, events };
    }
  }

  async addApiKey(key: ApiKeyRecord): Promise<'created' | 'name-taken'> {
    this.#open();
    try {
      await this.#pool.query({
        text: 'INSERT INTO api_keys (id, name, carrier, hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
        values: [key.id, key.name, key.carrier, key.hash, key.createdAt, key.revokedAt ?? null],
      });
      return 'created';
    } catch (err) {
      const constraint = (err as { constraint?: unknown }).constraint;
      if (sqlState(err) === '23505' && constraint === 'api_keys_active_name') return 'name-taken';
      throw err;
    }
  }

  async findApiKey(id: string): Promise<ApiKeyRecord | undefined> {
    this.#open();
    const { rows } = await this.#pool.query({
      name: 'wxtrack_find_key',
      text: 'SELECT id, name, carrier, hash, created_at, revoked_at FROM api_keys WHERE id = $1',
      values: [id],
    });
    const row = rows[0] as KeyRow | undefined;
    return row && toKey(row);
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    this.#open();
    const { rows } = await this.#pool.query({
      text: 'SELECT id, name, carrier, hash, created_at, revoked_at FROM api_keys ORDER BY created_at, added',
    });
    return (rows as KeyRow[]).map(toKey);
  }

  async revokeApiKey(name: string, at: number): Promise<boolean> {
    this.#open();
    const { rowCount } = await this.#pool.query({
      text: 'UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL',
      values: [at, name],
    });
    return (rowCount ?? 0) > 0;
  }

  async ping(): Promise<void> {
    this.#open();
    await this.#pool.query({ text: 'SELECT 1' });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#endPool) await this.#pool.end();
  }
}
