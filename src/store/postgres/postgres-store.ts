/**
 * @module
 * The store for several gateway nodes: PostgreSQL, through an injected pool (postgres-driver.ts).
 * Same contract as SQLite (store.case.test.ts), the same row mappers, change-feed rules and purge
 * loop (sql/), so both backends hand rendering byte-identical input.
 *
 * Layout (migration 4), chosen so that retention drops partitions instead of deleting rows:
 *
 * - `events` is partitioned by `day`: the UTC day a waybill was FIRST stored, kept in `waybills`
 *   (written once per waybill, never on later scans). Every event of a waybill lives in that one
 *   partition, so a waybill whose scans straddle midnight (or months) stays whole; a read touches
 *   one partition (`waybills` gives the day, the join prunes to it). Partitioning by each event's
 *   own time was rejected: a read would probe every partition (about 100 at 90 days) and a
 *   dropped partition would take part of a live waybill with it.
 * - `event_keys (carrier, event_id) → fingerprint` makes `event_id` unique per carrier. A unique
 *   index on a partitioned table must hold the partition key, and an event re-sent with another
 *   waybill or time must still be caught, so the key lives in this narrow unpartitioned table.
 * - `event_days` lists the partitions; a detached one is being purged and its waybills count as gone.
 *
 * A write is one transaction of one statement for the batch ({@link APPEND}: `unnest` arrays, one
 * index probe of `event_keys` per event; a duplicate or conflict costs that probe and writes
 * nothing; new keys, waybills and events are inserted with `ON CONFLICT DO NOTHING`, so a
 * concurrent sender of the same event waits for the first and skips), and one for the change log.
 * Nothing is rendered, and no per-waybill lock is taken. Last, the write takes the schema's
 * change-log lock and appends its change entries; that lock is held until COMMIT, so the next
 * writer draws its seq only after this one is visible: seq order is commit order.
 *
 * Erasures (the API, each purge chunk) take the schema's erase lock exclusively; writes of events
 * take it shared (they never wait on each other for it). So no event lands in a partition after
 * its waybill was erased between the writer reading the waybill's day and committing.
 *
 * Retention ({@link PostgresStore.purgeOlderThan}) detaches a partition older than the cutoff's
 * day none of whose events is as new as the cutoff (a BRIN index on `time_ms` answers), erases
 * its waybills' keys, rows, attributes and owners in chunks with a change entry each, and drops
 * it; partitions a live waybill still holds are purged row by row, as before.
 *
 * Plans: the batch statement is planned once (a named statement's generic plan) and must hold at
 * any batch size and whatever the statistics say, so every probe is a scalar sub-select on a whole
 * unique key, and the batch's CTEs join by hash (`enable_nestloop = off` for that statement). A
 * plan from the statistics of a table that grew since its last ANALYZE read every key of the
 * carrier per batch (108 ms per 500 events at 100,000 keys); the generic plan with nested loops
 * over CTEs taken for 10 rows was O(n²) in the batch (55 ms against 26 ms per 500 events).
 *
 * Measured (bench/store/postgres-compare.mjs, beside the previous release 30a54ac and main in one
 * run, load 3–5; bench/README.md): 1 writer 23,111 events/s (2.40× 30a54ac, 0.63× main's
 * unpartitioned table: the key table and waybill rows are what partition-dropping retention
 * costs), 2 pools 26,814 (1.89×, 1.01×), a 50 % duplicate resend 40,460 (1.18× a new batch;
 * 1.45× main), 517 bytes per event (0.44× 30a54ac), import 21,605 (3.48×). Where the time
 * goes (perf on the backend during an import of 400,000 time-ordered events): about two thirds of
 * the CPU is PostgreSQL's, spread over B-tree probes and inserts (`event_keys` probe and insert,
 * the events index, `waybills`), hash joins of the batch's CTEs and WAL; a third is the importer
 * (parsing, fingerprints, arrays). No single hot spot: the next step is fewer index entries per
 * event (the fingerprint as 8 bytes, the events index without `seq`) and one round trip less
 * per batch (the change log folded into the batch statement).
 *
 * A deadlock (two batches inserting each other's event ids in opposite orders) is detected by
 * PostgreSQL and the write retried. Other errors propagate as rejections: the gateway answers
 * 50001 and fails closed.
 */
import { MAX_OWNERS_IN_ENTRY } from '../../privacy/owned-entry.js';
import type { Clock } from '../../clock/clock.js';
import type { ScanEvent } from '../../tracking/event.js';
import { eventFingerprint } from '../../tracking/fingerprint.js';
import type { ChangeMark, ChangePage, StoreBackend, WaybillState } from '../roles.js';
import {
  changePage,
  checkChangeLogKeep,
  checkChangesArgs,
  DEFAULT_CHANGE_LOG_KEEP,
  newestMark,
  newTags,
  pruneThrough,
  type FeedState,
} from '../sql/change-feed.js';
import { PURGE_CHUNK, purgeLoop, type PurgeChunk } from '../sql/purge-loop.js';
import {
  EVENT_COLUMNS,
  personalColumn,
  mergePages,
  toApiKey,
  toWaybillState,
  type KeyRow,
  type StateRow,
} from '../sql/rows.js';
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
import { lockKey, sqlState, type PgClient, type PgPool, type PgQueryable } from './postgres-driver.js';
import {
  currentSchema,
  dayOf,
  ensurePartitions,
  migratePostgres,
  schemaLocks,
} from './postgres-migrations.js';

export interface PostgresStoreOptions {
  /** Connections to the database; the store's tables live in its connections' current schema. */
  readonly pool: PgPool;
  readonly clock: Clock;
  /** Run the migrations on open. Default true. */
  readonly migrate?: boolean;
  /** Change-log entries to keep (see sql/change-feed.ts). Default {@link DEFAULT_CHANGE_LOG_KEEP}. */
  readonly changeLogKeep?: number;
  /** End the pool when the store closes. Default true. */
  readonly endPoolOnClose?: boolean;
  /**
   * Wait for each write's WAL flush before answering. Default true: a push is acknowledged only
   * once durable. `import` turns it off (`synchronous_commit = off` per transaction): a crash
   * may lose its last few batches, which re-running the import stores again.
   */
  readonly synchronousCommit?: boolean;
}

/** Waybills whose partition is attached: the others are being purged and count as gone. */
const LIVE_WAYBILLS = 'waybills w JOIN event_days d ON d.day = w.day AND d.attached';

/** How long a partition's detach waits for the events table before leaving it to the next run. */
const DETACH_LOCK_TIMEOUT_MS = 2_000;

/** Thrown to roll back a detach whose partition got a new enough scan. */
class KeptPartition extends Error {}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Tries of a write that PostgreSQL aborted to break a deadlock. */
const WRITE_TRIES = 5;

/** Rolls back on error; a deadlock victim is retried (SQLSTATE 40P01, or 40001 on a serialization failure). */
const RETRYABLE = new Set(['40P01', '40001']);

const READ_WAYBILL = `
  SELECT a.eta AS a_eta, a.cells AS a_cells, a.destination AS a_destination, a.updated_at AS a_updated_at,
         ${EVENT_COLUMNS.split(', ')
           .map((c) => 'e.' + c)
           .join(', ')}
  FROM (SELECT $1::text COLLATE "C" AS carrier, $2::text COLLATE "C" AS waybill) AS k
  LEFT JOIN attributes a ON a.carrier = k.carrier AND a.waybill = k.waybill
  LEFT JOIN waybills w ON w.carrier = k.carrier AND w.waybill = k.waybill
  LEFT JOIN events e ON e.day = w.day AND e.carrier = k.carrier AND e.waybill = k.waybill
  ORDER BY e.time_ms, e.seq`;

/** Base64 (as `encode` writes it) to the base64url the fingerprints are computed in. */
const toBase64Url = (b64: string): string => Buffer.from(b64, 'base64').toString('base64url');

/** A base64url fingerprint as the bytes event_keys keeps. */
const FP = (expr: string) => `decode(translate(${expr}, '-_', '+/') || '=', 'base64')`;

/**
 * A batch of new events in ONE statement. The event keys are probed once (`known`: a duplicate
 * or a conflict costs that probe and nothing else); the rest insert their keys (`ON CONFLICT DO
 * NOTHING`: a concurrent sender of the same event_id waits for the first and skips), home a new
 * waybill (or one whose partition is being purged) in today's partition, and insert their events
 * there. Returns a row for every event stored before (with the stored fingerprint, base64, when
 * it differs from the one sent) and for every event stored now; an event in neither was stored
 * by a concurrent writer after this statement's snapshot.
 */
const APPEND = `
  WITH u AS MATERIALIZED (
    SELECT u.*, (SELECT k.fingerprint FROM event_keys k WHERE k.carrier = $1 AND k.event_id = u.event_id) AS stored
    FROM unnest($4::text[], $5::text[], $6::int8[], $7::int2[], $8::text[], $9::text[], $10::text[],
                $11::text[], $12::text[], $13::text[], $14::text[])
      WITH ORDINALITY AS u(event_id, waybill, time_ms, status, label, description, location, eta, cells, fp, personal, ord)
  ),
  keys AS (
    INSERT INTO event_keys (carrier, event_id, fingerprint)
    SELECT $1, event_id, ${FP('fp')} FROM u WHERE stored IS NULL
    ORDER BY ord
    ON CONFLICT DO NOTHING
    RETURNING event_id
  ),
  fresh AS MATERIALIZED (SELECT u.* FROM u JOIN keys USING (event_id)),
  wd AS MATERIALIZED (
    SELECT f.waybill, (SELECT x.day FROM waybills x WHERE x.carrier = $1 AND x.waybill = f.waybill) AS day
    FROM (SELECT DISTINCT waybill FROM fresh) f
  ),
  wx AS MATERIALIZED (
    SELECT waybill, day, day IS NOT NULL AND EXISTS (SELECT 1 FROM event_days d WHERE d.day = wd.day AND d.attached) AS live
    FROM wd
  ),
  homed AS (
    INSERT INTO waybills AS w (carrier, waybill, day)
    SELECT $1, waybill, $3::int4 FROM wx WHERE NOT live
    ON CONFLICT (carrier, waybill) DO UPDATE SET day =
      CASE WHEN EXISTS (SELECT 1 FROM event_days d WHERE d.day = w.day AND d.attached) THEN w.day ELSE excluded.day END
    RETURNING waybill, day
  ),
  stored AS (
    INSERT INTO events (day, carrier, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at, personal)
    SELECT COALESCE(h.day, wx.day), $1, f.event_id, f.waybill, f.time_ms, f.status, f.label, f.description,
           f.location, f.eta, f.cells, $2, f.personal
    FROM fresh f JOIN wx ON wx.waybill = f.waybill LEFT JOIN homed h ON h.waybill = f.waybill
    ORDER BY f.ord
  )
  SELECT ord, false AS inserted,
         CASE WHEN stored = ${FP('fp')} THEN NULL ELSE encode(stored, 'base64') END AS fp
  FROM u WHERE stored IS NOT NULL
  UNION ALL SELECT ord, true, NULL FROM fresh`;

/** The feed's state and a page, in one statement (one snapshot). */
const CHANGES_SINCE = `
  WITH page AS (SELECT seq, tag, carrier, waybill FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2)
  SELECT (SELECT store_id FROM store_meta) AS store_id, l.pruned_through, l.pruned_tag,
         n.seq AS newest_seq, n.tag AS newest_tag,
         (SELECT tag FROM changes WHERE seq = $1) AS tag_at_mark,
         p.seq, p.tag, p.carrier, p.waybill
  FROM change_log l
  LEFT JOIN LATERAL (SELECT seq, tag FROM changes ORDER BY seq DESC LIMIT 1) n ON true
  LEFT JOIN page p ON true
  ORDER BY p.seq`;

interface FeedRow {
  store_id: string;
  pruned_through: string;
  pruned_tag: string;
  newest_seq: string | null;
  newest_tag: string | null;
  tag_at_mark: string | null;
  seq: string | null;
  tag: string | null;
  carrier: string | null;
  waybill: string | null;
}

const feedState = (r: FeedRow): FeedState => ({
  storeId: r.store_id,
  prunedThrough: Number(r.pruned_through),
  prunedTag: r.pruned_tag,
  newest: r.newest_seq === null ? undefined : { seq: Number(r.newest_seq), tag: r.newest_tag! },
  tagAtMark: r.tag_at_mark ?? undefined,
});

export class PostgresStore implements StoreBackend {
  readonly #pool: PgPool;
  readonly #clock: Clock;
  readonly #keep: number;
  readonly #endPool: boolean;
  readonly #locks: ReturnType<typeof schemaLocks>;
  /** Shared by every write of events, exclusive for an erasure (see {@link PostgresStore.append}). */
  readonly #eraseKey: number;
  readonly #syncCommit: boolean;
  /** The newest day with a partition, as this store last saw it. */
  #through: number;
  #closed = false;

  private constructor(options: PostgresStoreOptions, schema: string, through: number) {
    this.#pool = options.pool;
    this.#clock = options.clock;
    this.#keep = checkChangeLogKeep(options.changeLogKeep ?? DEFAULT_CHANGE_LOG_KEEP);
    this.#endPool = options.endPoolOnClose ?? true;
    this.#locks = schemaLocks(schema);
    this.#eraseKey = lockKey(`wxtrack:erase:${schema}`);
    this.#syncCommit = options.synchronousCommit ?? true;
    this.#through = through;
  }

  /** Opens the store: migrates the schema (unless told not to) and checks the server answers. */
  static async open(options: PostgresStoreOptions): Promise<PostgresStore> {
    checkChangeLogKeep(options.changeLogKeep ?? DEFAULT_CHANGE_LOG_KEEP);
    try {
      const today = dayOf(options.clock.now());
      if (options.migrate ?? true) await migratePostgres(options.pool, undefined, today);
      const { rows } = await options.pool.query({
        text: 'SELECT COALESCE(MAX(day), 0) AS day FROM event_days WHERE attached',
      });
      return new PostgresStore(options, await currentSchema(options.pool), (rows[0] as { day: number }).day);
    } catch (err) {
      if (options.endPoolOnClose ?? true) await options.pool.end().catch(() => undefined);
      throw err;
    }
  }

  #open(): void {
    if (this.#closed) throw new Error('store is closed');
  }

  /**
   * Runs `body` in one transaction on one connection, retrying a deadlock victim. `begin` is the
   * transaction's first statement(s), sent with BEGIN in one round trip.
   */
  async #tx<T>(body: (c: PgClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    this.#open();
    for (let attempt = 1; ; attempt++) {
      const c = await this.#pool.connect();
      let broken: Error | undefined;
      try {
        await c.query({ text: begin });
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

  /** BEGIN of an erasure: waits for the writes of events in flight, and holds new ones off. */
  get #beginErase(): string {
    return `BEGIN; SELECT pg_advisory_xact_lock(${this.#eraseKey}, 1)`;
  }

  /** The last step of a write transaction: its change entries, in commit order. */
  async #logChanges(c: PgClient, refs: readonly WaybillRef[]): Promise<void> {
    if (refs.length === 0) return;
    // The lock is taken before the first seq is drawn: the CTE runs before any row reaches the
    // INSERT, and the identity default is evaluated above the sort.
    const { rows } = await c.query({
      name: 'wxtrack_append_changes',
      text: `WITH l AS MATERIALIZED (SELECT pg_advisory_xact_lock($4::int4, 0))
             INSERT INTO changes (carrier, waybill, tag)
             SELECT carrier, waybill, tag FROM l, unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(carrier, waybill, tag, ord)
             ORDER BY ord
             RETURNING seq`,
      values: [
        refs.map((r) => r.carrier),
        refs.map((r) => r.waybill),
        newTags(refs.length),
        this.#locks.changes,
      ],
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
    // Through the newest entry at or below it (identity seqs have holes), keeping its tag.
    await c.query({
      name: 'wxtrack_prune_changes',
      text: `WITH at AS (SELECT seq, tag FROM changes WHERE seq <= $1 ORDER BY seq DESC LIMIT 1),
             mark AS (UPDATE change_log SET pruned_through = at.seq, pruned_tag = at.tag FROM at
                      WHERE change_log.pruned_through < at.seq RETURNING at.seq)
             DELETE FROM changes WHERE seq <= (SELECT seq FROM mark)`,
      values: [through],
    });
  }

  /** Makes today's partition (and the week ahead) when this store has not seen it made. */
  async #ensureDay(today: number, force = false): Promise<void> {
    if (!force && today <= this.#through) return;
    this.#through = await ensurePartitions(this.#pool, today);
  }

  /**
   * Appends a batch: one statement for the events ({@link APPEND}) and one for the change log.
   * The transaction holds the schema's erase lock in shared mode (writers never wait on each
   * other for it): an erasure takes it exclusively, so a waybill is never erased between a
   * writer reading its partition and committing events there.
   */
  async append(carrier: string, events: readonly ScanEvent[]): Promise<IngestOutcome[]> {
    this.#open();
    if (events.length === 0) return [];
    // The first of each event_id goes to the database; a repeat within the batch is told
    // apart from it here.
    const fingerprints = events.map(eventFingerprint);
    const firstOf = new Map<string, number>();
    events.forEach((e, i) => {
      if (!firstOf.has(e.eventId)) firstOf.set(e.eventId, i);
    });
    const uniqueAt = [...firstOf.values()];
    const unique = uniqueAt.map((i) => events[i]!);
    const prints = uniqueAt.map((i) => fingerprints[i]!);
    const slotOf = new Map(unique.map((e, j) => [e.eventId, j]));
    const now = this.#clock.now();
    const today = dayOf(now);
    await this.#ensureDay(today);
    const begin =
      // Plans that hold whatever the statistics say, planned once: every probe is a scalar
      // sub-select on a whole unique key (one index probe per event; a plan made from the
      // statistics of a table that grew since its last ANALYZE read every key of the carrier
      // per batch, 108 ms for 500 events at 100,000 keys), and the batch's CTEs join by hash
      // (the generic plan takes each unnest for 10 rows and nested loops over them were O(n²):
      // 55 ms per 500 events, against 26 ms with a custom plan made per batch). No JIT: a plan
      // whose only join is a nested loop (the change log's) costs 1e10 with them disabled, and
      // compiling it took 700 ms.
      `BEGIN; SELECT pg_advisory_xact_lock_shared(${this.#eraseKey}, 1); SET LOCAL enable_seqscan = off; SET LOCAL enable_nestloop = off; SET LOCAL jit = off` +
      (this.#syncCommit ? '' : '; SET LOCAL synchronous_commit = off');
    const values = [
      carrier,
      now,
      today,
      unique.map((e) => e.eventId),
      unique.map((e) => e.waybill),
      unique.map((e) => e.time),
      unique.map((e) => e.status),
      unique.map((e) => e.label),
      unique.map((e) => e.description),
      unique.map((e) => e.location ?? null),
      unique.map((e) => e.eta ?? null),
      unique.map((e) => (e.cells === undefined ? null : JSON.stringify(e.cells))),
      prints,
      unique.map((e) => personalColumn(e)),
    ];
    const write = () =>
      this.#tx(async (c) => {
        const { rows } = await c.query({ name: 'wxtrack_append', text: APPEND, values });
        // Per unique event: stored now, or the fingerprint (base64url) stored before it.
        const inserted = new Set<number>();
        const storedPrint = new Map<number, string>();
        for (const r of rows as { ord: string; inserted: boolean; fp: string | null }[]) {
          const j = Number(r.ord) - 1;
          if (r.inserted) inserted.add(j);
          else storedPrint.set(j, r.fp === null ? prints[j]! : toBase64Url(r.fp));
        }
        const raced = unique.filter((_, j) => !inserted.has(j) && !storedPrint.has(j));
        if (raced.length > 0) {
          // Stored by a concurrent writer after this statement's snapshot: read them now.
          const found = await c.query({
            name: 'wxtrack_fingerprints',
            text: `SELECT event_id, encode(fingerprint, 'base64') AS fp FROM event_keys WHERE carrier = $1 AND event_id = ANY($2::text[])`,
            values: [carrier, raced.map((e) => e.eventId)],
          });
          const byId = new Map(unique.map((e, j) => [e.eventId, j]));
          for (const r of found.rows as { event_id: string; fp: string }[]) {
            storedPrint.set(byId.get(r.event_id)!, toBase64Url(r.fp));
          }
        }
        const outcomes: IngestOutcome[] = [];
        const touched = new Set<string>();
        events.forEach((e, i) => {
          const j = slotOf.get(e.eventId)!;
          if (i === uniqueAt[j] && inserted.has(j)) {
            outcomes.push('inserted');
            touched.add(e.waybill);
            return;
          }
          const kept = inserted.has(j) ? prints[j] : storedPrint.get(j);
          outcomes.push(kept === fingerprints[i] ? 'duplicate' : 'conflict');
        });
        await this.#logChanges(
          c,
          [...touched].map((waybill) => ({ carrier, waybill })),
        );
        return outcomes;
      }, begin);
    try {
      return await write();
    } catch (err) {
      // No partition for the day (a clock behind the partitions made): make it, once.
      if (sqlState(err) !== '23514') throw err;
      await this.#ensureDay(today, true);
      return write();
    }
  }
  async setAttributes(carrier: string, waybill: string, patch: WaybillAttributesPatch): Promise<void> {
    await this.#tx(async (c) => {
      await c.query({
        name: 'wxtrack_set_attributes',
        text: `INSERT INTO attributes (carrier, waybill, eta, cells, destination, updated_at)
               VALUES ($1, $2, $4, $5, $6, $3)
               ON CONFLICT (carrier, waybill) DO UPDATE SET
                 eta = CASE WHEN $7 THEN excluded.eta ELSE attributes.eta END,
                 cells = CASE WHEN $8 THEN excluded.cells ELSE attributes.cells END,
                 destination = CASE WHEN $9 THEN excluded.destination ELSE attributes.destination END,
                 updated_at = excluded.updated_at`,
        values: [
          carrier,
          waybill,
          this.#clock.now(),
          patch.eta ?? null,
          patch.cells === undefined || patch.cells === null ? null : JSON.stringify(patch.cells),
          patch.destination ?? null,
          patch.eta !== undefined,
          patch.cells !== undefined,
          patch.destination !== undefined,
        ],
      });
      await this.#logChanges(c, [{ carrier, waybill }]);
    });
  }

  async readWaybill(carrier: string, waybill: string): Promise<WaybillState | undefined> {
    this.#open();
    const { rows } = await this.#pool.query({
      name: 'wxtrack_read_waybill',
      text: READ_WAYBILL,
      values: [carrier, waybill],
    });
    return toWaybillState(rows as StateRow[]);
  }

  async listWaybills(carrier: string, page: WaybillPage): Promise<string[]> {
    this.#open();
    if (!Number.isInteger(page.limit) || page.limit < 1)
      throw new RangeError('limit must be a positive integer');
    const values = [carrier, page.after ?? '', page.limit];
    const [events, attributes] = await Promise.all([
      this.#pool.query({
        name: 'wxtrack_list_event_waybills',
        text: `SELECT w.waybill FROM ${LIVE_WAYBILLS} WHERE w.carrier = $1 AND w.waybill > $2
               ORDER BY w.waybill LIMIT $3`,
        values,
      }),
      this.#pool.query({
        name: 'wxtrack_list_attribute_waybills',
        text: 'SELECT waybill FROM attributes WHERE carrier = $1 AND waybill > $2 ORDER BY waybill LIMIT $3',
        values,
      }),
    ]);
    const of = (rows: unknown[]) => (rows as { waybill: string }[]).map((r) => r.waybill);
    return mergePages(of(events.rows), of(attributes.rows), page.limit);
  }

  async countByCarrier(): Promise<ReadonlyMap<string, number>> {
    this.#open();
    const { rows } = await this.#pool.query({
      text: `SELECT carrier, COUNT(*)::bigint AS n FROM (
               SELECT w.carrier, w.waybill FROM ${LIVE_WAYBILLS} UNION SELECT carrier, waybill FROM attributes) AS w
             GROUP BY carrier ORDER BY carrier`,
    });
    return new Map((rows as { carrier: string; n: string }[]).map((r) => [r.carrier, Number(r.n)]));
  }

  async changesSince(after: ChangeMark, limit: number): Promise<ChangePage> {
    this.#open();
    checkChangesArgs(after, limit);
    const { rows } = await this.#pool.query({
      name: 'wxtrack_changes_since',
      text: CHANGES_SINCE,
      values: [after.seq, limit],
    });
    const all = rows as FeedRow[];
    const entries = all
      .filter((r) => r.seq !== null)
      .map((r) => ({ seq: Number(r.seq), tag: r.tag!, carrier: r.carrier!, waybill: r.waybill! }));
    return changePage(after, entries, feedState(all[0]!));
  }

  async lastChange(): Promise<ChangeMark> {
    this.#open();
    const { rows } = await this.#pool.query({
      name: 'wxtrack_changes_since',
      text: CHANGES_SINCE,
      values: [0, 1],
    });
    return newestMark(feedState(rows[0] as FeedRow));
  }

  /**
   * Erases waybills with their events, event keys, attributes and owners; returns those that
   * existed. With `agedBefore`, only a waybill none of whose events is that new or newer. Runs
   * inside an erasure transaction ({@link PostgresStore.#beginErase}): no write of events is in
   * flight, so none lands in a partition after its waybill is gone.
   */
  async #erase(
    c: PgClient,
    refs: readonly WaybillRef[],
    agedBefore?: number,
  ): Promise<{ gone: WaybillRef[]; events: number }> {
    const aged =
      agedBefore === undefined
        ? ''
        : `WHERE NOT EXISTS (SELECT 1 FROM events x
                             WHERE x.day = w.day AND x.carrier = w.carrier AND x.waybill = w.waybill AND x.time_ms >= $3)`;
    const { rows } = await c.query({
      name: agedBefore === undefined ? 'wxtrack_erase_events' : 'wxtrack_erase_aged_events',
      text: `WITH w AS MATERIALIZED (
               SELECT w.carrier, w.waybill, w.day FROM waybills w
               JOIN unnest($1::text[], $2::text[]) AS u(carrier, waybill) ON w.carrier = u.carrier AND w.waybill = u.waybill
               ${aged}),
             ev AS (DELETE FROM events e USING w WHERE e.day = w.day AND e.carrier = w.carrier AND e.waybill = w.waybill
                    RETURNING e.carrier, e.event_id),
             k AS (DELETE FROM event_keys k USING ev WHERE k.carrier = ev.carrier AND k.event_id = ev.event_id),
             gone AS (DELETE FROM waybills x USING w WHERE x.carrier = w.carrier AND x.waybill = w.waybill)
             SELECT carrier, waybill, NULL::bigint AS n FROM w
             UNION ALL SELECT NULL, NULL, COUNT(*) FROM ev`,
      values: [
        refs.map((r) => r.carrier),
        refs.map((r) => r.waybill),
        ...(agedBefore === undefined ? [] : [agedBefore]),
      ],
    });
    const gone = new Map<string, WaybillRef>();
    let events = 0;
    for (const r of rows as { carrier: string | null; waybill: string | null; n: string | null }[]) {
      if (r.carrier === null) events = Number(r.n);
      else gone.set(r.carrier + '\n' + r.waybill, { carrier: r.carrier, waybill: r.waybill! });
    }
    // A waybill purged by age goes whole or not at all; an erasure takes whatever is there.
    const rest = agedBefore === undefined ? refs : [...gone.values()];
    const more = await this.#eraseExtras(c, rest);
    for (const r of more) gone.set(r.carrier + '\n' + r.waybill, r);
    return { gone: [...gone.values()], events };
  }

  /** Erases the attributes and owners of waybills; returns those that had attributes. */
  async #eraseExtras(c: PgClient, refs: readonly WaybillRef[]): Promise<WaybillRef[]> {
    if (refs.length === 0) return [];
    const using = `unnest($1::text[], $2::text[]) AS u(carrier, waybill)`;
    const values = [refs.map((r) => r.carrier), refs.map((r) => r.waybill)];
    const at = await c.query({
      name: 'wxtrack_erase_attributes',
      text: `DELETE FROM attributes a USING ${using} WHERE a.carrier = u.carrier AND a.waybill = u.waybill
             RETURNING a.carrier, a.waybill`,
      values,
    });
    await c.query({
      name: 'wxtrack_erase_owners',
      text: `DELETE FROM owners o USING ${using} WHERE o.carrier = u.carrier AND o.waybill = u.waybill`,
      values,
    });
    return at.rows as WaybillRef[];
  }

  async deleteWaybill(carrier: string, waybill: string): Promise<Removed | undefined> {
    return this.#tx(async (c) => {
      const { gone, events } = await this.#erase(c, [{ carrier, waybill }]);
      if (gone.length === 0) return undefined;
      await this.#logChanges(c, gone);
      return { waybills: 1, events };
    }, this.#beginErase);
  }

  async countOlderThan(cutoff: number): Promise<Removed> {
    this.#open();
    const { rows } = await this.#pool.query({
      text: `SELECT COUNT(*)::bigint AS waybills, COALESCE(SUM(n), 0)::bigint AS events FROM (
               SELECT COUNT(*) AS n FROM events GROUP BY carrier, waybill HAVING MAX(time_ms) < $1
               UNION ALL
               SELECT 0 FROM attributes a WHERE updated_at < $1
                 AND NOT EXISTS (SELECT 1 FROM ${LIVE_WAYBILLS} WHERE w.carrier = a.carrier AND w.waybill = a.waybill)) AS aged`,
      values: [cutoff],
    });
    const row = rows[0] as { waybills: string | number; events: string | number };
    return { waybills: Number(row.waybills), events: Number(row.events) };
  }

  /** The partitions, oldest first. */
  async #partitions(): Promise<{ day: number; relname: string; attached: boolean }[]> {
    const { rows } = await this.#pool.query({
      text: 'SELECT day, relname, attached FROM event_days ORDER BY day',
    });
    return rows as { day: number; relname: string; attached: boolean }[];
  }

  /** Whether a partition holds an event at or after `cutoff` (`newer`), or before it: BRIN-led. */
  async #holds(q: PgQueryable, relname: string, cutoff: number, newer: boolean): Promise<boolean> {
    const { rows } = await q.query({
      text: `SELECT EXISTS (SELECT 1 FROM ${relname} WHERE time_ms ${newer ? '>=' : '<'} $1) AS found`,
      values: [cutoff],
    });
    return (rows[0] as { found: boolean }).found;
  }

  /**
   * Detaches every partition older than the cutoff's day (and than yesterday) none of whose
   * events is as new as the cutoff: every waybill in it is aged, since a waybill's events all
   * live in its partition. The detach locks the events table for a moment (bounded by
   * `lock_timeout`: a busy table leaves the partition to the row-wise walk and the next run).
   */
  async #detachAged(cutoff: number): Promise<void> {
    const before = Math.min(dayOf(cutoff), dayOf(this.#clock.now()) - 1);
    for (const p of await this.#partitions()) {
      if (!p.attached || p.day >= before) continue;
      if (await this.#holds(this.#pool, p.relname, cutoff, true)) continue;
      try {
        await this.#tx(async (c) => {
          await c.query({ text: `SET LOCAL lock_timeout = ${DETACH_LOCK_TIMEOUT_MS}` });
          await c.query({ text: `ALTER TABLE events DETACH PARTITION ${p.relname}` });
          // Checked again under the lock: a scan stored since the first look keeps it attached.
          if (await this.#holds(c, p.relname, cutoff, true)) throw new KeptPartition();
          await c.query({ text: 'UPDATE event_days SET attached = false WHERE day = $1', values: [p.day] });
        });
      } catch (err) {
        if (!(err instanceof KeptPartition) && sqlState(err) !== '55P03') throw err;
      }
    }
  }

  /**
   * Erases the waybills of a detached partition, a chunk per transaction (their keys, waybill
   * rows, attributes, owners, and a change entry each, so that every reply view drops them),
   * then drops the partition: its events go at once, without a row deleted.
   */
  async #clearDetached(p: { day: number; relname: string }): Promise<Removed> {
    let waybills = 0;
    let events = 0;
    let after: WaybillRef = { carrier: '', waybill: '' };
    for (;;) {
      const done = await this.#tx(async (c) => {
        const { rows } = await c.query({
          text: `SELECT DISTINCT carrier, waybill FROM ${p.relname}
                 WHERE (carrier, waybill) > ($1::text COLLATE "C", $2::text COLLATE "C")
                 ORDER BY carrier, waybill LIMIT ${PURGE_CHUNK}`,
          values: [after.carrier, after.waybill],
        });
        const refs = rows as WaybillRef[];
        if (refs.length === 0) {
          await c.query({ text: `DROP TABLE ${p.relname}` });
          await c.query({ text: 'DELETE FROM event_days WHERE day = $1', values: [p.day] });
          return true;
        }
        const values = [refs.map((r) => r.carrier), refs.map((r) => r.waybill)];
        const keys = await c.query({
          text: `DELETE FROM event_keys k USING (
                   SELECT e.carrier, e.event_id FROM ${p.relname} e
                   JOIN unnest($1::text[], $2::text[]) AS u(carrier, waybill) ON e.carrier = u.carrier AND e.waybill = u.waybill) x
                 WHERE k.carrier = x.carrier AND k.event_id = x.event_id`,
          values,
        });
        // A waybill homed again since the detach (a new scan) keeps its new row.
        await c.query({
          text: `DELETE FROM waybills w USING unnest($1::text[], $2::text[]) AS u(carrier, waybill)
                 WHERE w.carrier = u.carrier AND w.waybill = u.waybill AND w.day = $3`,
          values: [...values, p.day],
        });
        await this.#eraseExtras(c, refs);
        await this.#logChanges(c, refs);
        waybills += refs.length;
        events += keys.rowCount ?? 0;
        after = refs[refs.length - 1]!;
        return false;
      }, this.#beginErase);
      if (done) return { waybills, events };
      await nextTurn();
    }
  }

  /**
   * One chunk of the row-wise walk, over the waybills homed in `days` (partitions that hold an
   * event older than the cutoff). The erase re-checks the age in its delete, under the erase lock.
   */
  async #walk(
    cutoff: number,
    days: readonly number[],
    after: WaybillRef | undefined,
    scope: PurgeScope | undefined,
  ): Promise<PurgeChunk> {
    return this.#tx(async (c) => {
      const { rows } = await c.query({
        name: 'wxtrack_purge_walk',
        text: `SELECT w.carrier, w.waybill,
                      (SELECT MAX(e.time_ms) FROM events e
                       WHERE e.day = w.day AND e.carrier = w.carrier AND e.waybill = w.waybill) AS last
               FROM waybills w
               WHERE w.day = ANY($3::int4[]) AND (w.carrier, w.waybill) > ($1::text COLLATE "C", $2::text COLLATE "C")
               ORDER BY w.carrier, w.waybill LIMIT ${PURGE_CHUNK}`,
        values: [after?.carrier ?? '', after?.waybill ?? '', days],
      });
      const walked = rows as (WaybillRef & { last: string | null })[];
      const aged = walked.filter(
        (r) => r.last !== null && Number(r.last) < cutoff && inPurgeScope(scope, r.carrier),
      );
      const { gone, events } =
        aged.length === 0 ? { gone: [], events: 0 } : await this.#erase(c, aged, cutoff);
      await this.#logChanges(c, gone);
      const last = walked.length === PURGE_CHUNK ? walked[walked.length - 1] : undefined;
      return {
        removed: { waybills: gone.length, events },
        last: last && { carrier: last.carrier, waybill: last.waybill },
      };
    }, this.#beginErase);
  }

  /** A chunk of waybills with attributes and no events, aged from their last update. */
  async #orphans(cutoff: number, scope?: PurgeScope): Promise<Removed> {
    return this.#tx(async (c) => {
      // The age and the absence of events are checked by the delete itself.
      const { rows } = await c.query({
        name: 'wxtrack_purge_orphans',
        text: `DELETE FROM attributes WHERE (carrier, waybill) IN (
                 SELECT carrier, waybill FROM attributes a WHERE updated_at < $1
                   AND NOT EXISTS (SELECT 1 FROM ${LIVE_WAYBILLS} WHERE w.carrier = a.carrier AND w.waybill = a.waybill)
                   AND ($2::text IS NULL OR carrier = $2) AND NOT (carrier = ANY($3::text[]))
                 LIMIT ${PURGE_CHUNK})
               RETURNING carrier, waybill`,
        values: [
          cutoff,
          scope !== undefined && 'carrier' in scope ? scope.carrier : null,
          scope !== undefined && 'except' in scope ? scope.except : [],
        ],
      });
      const gone = rows as WaybillRef[];
      if (gone.length === 0) return { waybills: 0, events: 0 };
      await c.query({
        name: 'wxtrack_erase_orphan_owners',
        text: `DELETE FROM owners o USING unnest($1::text[], $2::text[]) AS u(carrier, waybill)
               WHERE o.carrier = u.carrier AND o.waybill = u.waybill`,
        values: [gone.map((r) => r.carrier), gone.map((r) => r.waybill)],
      });
      await this.#logChanges(c, gone);
      return { waybills: gone.length, events: 0 };
    }, this.#beginErase);
  }

  /**
   * Retention: drops whole partitions where it can, then walks what is left row by row.
   *
   * 1. Partitions made ahead are topped up (a daily purge keeps a week ahead).
   * 2. Each partition older than the cutoff's day with no event as new as the cutoff is
   *    detached, its waybills' keys, rows, attributes and owners erased in chunks, and dropped.
   * 3. The waybills of partitions that still hold an event older than the cutoff (a waybill
   *    that kept getting scans, a backfill of old events stored today) are walked and erased
   *    row by row, as before partitioning.
   *
   * A purge scoped to some carriers (a carrier's own retention) skips step 2: a partition holds
   * every carrier's events of its day, so only an unscoped purge may drop one. It walks the
   * partitions row by row instead, erasing only the carriers in scope.
   */
  async purgeOlderThan(cutoff: number, scope?: PurgeScope): Promise<Removed> {
    this.#open();
    await this.#ensureDay(dayOf(this.#clock.now()), true);
    if (scope === undefined) await this.#detachAged(cutoff);
    let waybills = 0;
    let events = 0;
    const walkDays: number[] = [];
    for (const p of await this.#partitions()) {
      if (!p.attached) {
        const removed = await this.#clearDetached(p);
        waybills += removed.waybills;
        events += removed.events;
      } else if (await this.#holds(this.#pool, p.relname, cutoff, false)) walkDays.push(p.day);
    }
    const rest = await purgeLoop(
      (after) =>
        walkDays.length === 0
          ? Promise.resolve({ removed: { waybills: 0, events: 0 }, last: undefined })
          : this.#walk(cutoff, walkDays, after, scope),
      () => this.#orphans(cutoff, scope),
    );
    return { waybills: waybills + rest.waybills, events: events + rest.events };
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
    return row && toApiKey(row);
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    this.#open();
    const { rows } = await this.#pool.query({
      text: 'SELECT id, name, carrier, hash, created_at, revoked_at FROM api_keys ORDER BY created_at, added',
    });
    return (rows as KeyRow[]).map(toApiKey);
  }

  async revokeApiKey(name: string, at: number): Promise<boolean> {
    this.#open();
    const { rowCount } = await this.#pool.query({
      text: 'UPDATE api_keys SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL',
      values: [at, name],
    });
    return (rowCount ?? 0) > 0;
  }

  // A binding changes which reply its waybill's readers get: one change entry in the same
  // transaction, so that every reply view drops the entry that carries the owners.
  async bindOwner(carrier: string, waybill: string, openidHash: string, at: number): Promise<void> {
    await this.#tx(async (c) => {
      await c.query({
        name: 'wxtrack_bind_owner',
        text: `INSERT INTO owners (carrier, waybill, openid_hash, bound_at) VALUES ($1, $2, $3, $4)
               ON CONFLICT (carrier, waybill, openid_hash) DO UPDATE SET bound_at = excluded.bound_at`,
        values: [carrier, waybill, openidHash, at],
      });
      await this.#logChanges(c, [{ carrier, waybill }]);
    });
  }

  async unbindOwner(carrier: string, waybill: string, openidHash: string): Promise<boolean> {
    return this.#tx(async (c) => {
      const { rowCount } = await c.query({
        name: 'wxtrack_unbind_owner',
        text: 'DELETE FROM owners WHERE carrier = $1 AND waybill = $2 AND openid_hash = $3',
        values: [carrier, waybill, openidHash],
      });
      const removed = (rowCount ?? 0) > 0;
      if (removed) await this.#logChanges(c, [{ carrier, waybill }]);
      return removed;
    });
  }

  async ownersOf(carrier: string, waybill: string): Promise<readonly string[]> {
    this.#open();
    const { rows } = await this.#pool.query({
      name: 'wxtrack_owners_of',
      text: `SELECT openid_hash FROM owners WHERE carrier = $1 AND waybill = $2
             ORDER BY openid_hash LIMIT ${MAX_OWNERS_IN_ENTRY}`,
      values: [carrier, waybill],
    });
    return (rows as { openid_hash: string }[]).map((r) => r.openid_hash);
  }

  async isOwner(carrier: string, waybill: string, openidHash: string): Promise<boolean> {
    this.#open();
    const { rows } = await this.#pool.query({
      name: 'wxtrack_is_owner',
      text: 'SELECT 1 FROM owners WHERE carrier = $1 AND waybill = $2 AND openid_hash = $3',
      values: [carrier, waybill, openidHash],
    });
    return rows.length > 0;
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

export type { PgQueryable };
