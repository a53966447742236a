/**
 * @module
 * The store for several gateway nodes: PostgreSQL, through an injected pool (postgres-driver.ts).
 * Same contract as SQLite (store.case.test.ts), the same row mappers, change-feed rules and purge
 * loop (sql/), so both backends hand rendering byte-identical input.
 *
 * A write stores events and change-log entries only; nothing is rendered in it, so it needs no
 * per-waybill lock. Each write is one transaction:
 *
 * 1. It inserts the events with one statement (`unnest` arrays, `ON CONFLICT DO NOTHING`: an
 *    event is stored once, whoever sends it) and reads back the fingerprints of those already
 *    stored, which decide duplicate or conflict.
 * 2. Last, it takes the schema's change-log lock and appends its change entries. That lock is
 *    held until COMMIT, so the next writer draws its seq only after this one is visible: seq
 *    order is commit order, and a reader that saw seq n never misses a write below n (a plain
 *    sequence is drawn at insert time, so a slow transaction could commit a lower seq late).
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
import { sqlState, type PgClient, type PgPool, type PgQueryable } from './postgres-driver.js';
import { currentSchema, migratePostgres, schemaLocks } from './postgres-migrations.js';

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
}

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
  LEFT JOIN events e ON e.carrier = k.carrier AND e.waybill = k.waybill
  ORDER BY e.time_ms, e.seq`;

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
  #closed = false;

  private constructor(options: PostgresStoreOptions, schema: string) {
    this.#pool = options.pool;
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
      text: `INSERT INTO changes (carrier, waybill, tag)
             SELECT carrier, waybill, tag FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(carrier, waybill, tag, ord)
             ORDER BY ord
             RETURNING seq`,
      values: [refs.map((r) => r.carrier), refs.map((r) => r.waybill), newTags(refs.length)],
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
    const unique = [...firstOf.values()].map((i) => events[i]!);
    const uniquePrints = [...firstOf.values()].map((i) => fingerprints[i]!);

    return this.#tx(async (c) => {
      const now = this.#clock.now();
      const { rows } = await c.query({
        name: 'wxtrack_insert_events',
        text: `INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at, fingerprint, personal)
               SELECT $1, event_id, waybill, time_ms, status, label, description, location, eta, cells, $2, fingerprint, personal
               FROM unnest($3::text[], $4::text[], $5::int8[], $6::int2[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[])
                 WITH ORDINALITY AS u(event_id, waybill, time_ms, status, label, description, location, eta, cells, fingerprint, personal, ord)
               ORDER BY ord
               ON CONFLICT (carrier, event_id) DO NOTHING
               RETURNING event_id`,
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
          unique.map((e) => personalColumn(e)),
        ],
      });
      const inserted = new Set((rows as { event_id: string }[]).map((r) => r.event_id));
      // Stored before this call: their fingerprints decide duplicate or conflict.
      const earlier = unique.filter((e) => !inserted.has(e.eventId)).map((e) => e.eventId);
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
      const touched = new Set<string>();
      events.forEach((e, i) => {
        const first = firstOf.get(e.eventId)!;
        const isNew = inserted.has(e.eventId);
        if (i === first && isNew) {
          outcomes.push('inserted');
          touched.add(e.waybill);
          return;
        }
        const kept = isNew ? fingerprints[first] : storedPrint.get(e.eventId);
        outcomes.push(kept === fingerprints[i] ? 'duplicate' : 'conflict');
      });
      await this.#logChanges(
        c,
        [...touched].map((waybill) => ({ carrier, waybill })),
      );
      return outcomes;
    });
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
        text: 'SELECT DISTINCT waybill FROM events WHERE carrier = $1 AND waybill > $2 ORDER BY waybill LIMIT $3',
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
               SELECT DISTINCT carrier, waybill FROM events UNION SELECT carrier, waybill FROM attributes) AS w
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
   * Erases waybills with their events, attributes and owners; returns those that existed. With
   * `agedBefore`, only a waybill none of whose events is that new or newer, checked in the delete
   * itself (see {@link PostgresStore.purgeOlderThan}).
   */
  async #erase(
    c: PgClient,
    refs: readonly WaybillRef[],
    agedBefore?: number,
  ): Promise<{ gone: WaybillRef[]; events: number }> {
    const using = `unnest($1::text[], $2::text[]) AS u(carrier, waybill)`;
    const ev =
      agedBefore === undefined
        ? await c.query({
            name: 'wxtrack_erase_events',
            text: `DELETE FROM events e USING ${using} WHERE e.carrier = u.carrier AND e.waybill = u.waybill
                   RETURNING e.carrier, e.waybill`,
            values: [refs.map((r) => r.carrier), refs.map((r) => r.waybill)],
          })
        : await c.query({
            name: 'wxtrack_erase_aged_events',
            text: `DELETE FROM events e USING ${using} WHERE e.carrier = u.carrier AND e.waybill = u.waybill
                     AND NOT EXISTS (SELECT 1 FROM events x
                                     WHERE x.carrier = u.carrier AND x.waybill = u.waybill AND x.time_ms >= $3)
                   RETURNING e.carrier, e.waybill`,
            values: [refs.map((r) => r.carrier), refs.map((r) => r.waybill), agedBefore],
          });
    const gone = new Map<string, WaybillRef>();
    for (const r of ev.rows as WaybillRef[]) gone.set(r.carrier + '\n' + r.waybill, r);
    // A waybill purged by age goes whole or not at all; an erasure takes whatever is there.
    const rest = agedBefore === undefined ? refs : [...gone.values()];
    const values = [rest.map((r) => r.carrier), rest.map((r) => r.waybill)];
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
    for (const r of at.rows as WaybillRef[]) gone.set(r.carrier + '\n' + r.waybill, r);
    return { gone: [...gone.values()], events: ev.rowCount ?? 0 };
  }

  async deleteWaybill(carrier: string, waybill: string): Promise<Removed | undefined> {
    return this.#tx(async (c) => {
      const { gone, events } = await this.#erase(c, [{ carrier, waybill }]);
      if (gone.length === 0) return undefined;
      await this.#logChanges(c, gone);
      return { waybills: 1, events };
    });
  }

  async countOlderThan(cutoff: number): Promise<Removed> {
    this.#open();
    const { rows } = await this.#pool.query({
      text: `SELECT COUNT(*)::bigint AS waybills, COALESCE(SUM(n), 0)::bigint AS events FROM (
               SELECT COUNT(*) AS n FROM events GROUP BY carrier, waybill HAVING MAX(time_ms) < $1
               UNION ALL
               SELECT 0 FROM attributes a WHERE updated_at < $1
                 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.carrier = a.carrier AND e.waybill = a.waybill)) AS aged`,
      values: [cutoff],
    });
    const row = rows[0] as { waybills: string | number; events: string | number };
    return { waybills: Number(row.waybills), events: Number(row.events) };
  }

  /**
   * One chunk of the purge walk. The erase re-checks the age in its delete, so a waybill that got a
   * new scan since the walk read it stays whole; a scan committed while the delete runs (invisible
   * to its snapshot) survives, as the waybill's only event. No acknowledged new scan is erased.
   */
  async #walk(cutoff: number, after: WaybillRef | undefined, scope?: PurgeScope): Promise<PurgeChunk> {
    return this.#tx(async (c) => {
      const { rows } = await c.query({
        name: 'wxtrack_purge_walk',
        text: `SELECT carrier, waybill, MAX(time_ms) AS last FROM events
               WHERE (carrier, waybill) > ($1::text COLLATE "C", $2::text COLLATE "C")
               GROUP BY carrier, waybill ORDER BY carrier, waybill LIMIT ${PURGE_CHUNK}`,
        values: [after?.carrier ?? '', after?.waybill ?? ''],
      });
      const walked = rows as (WaybillRef & { last: string })[];
      const aged = walked.filter((r) => Number(r.last) < cutoff && inPurgeScope(scope, r.carrier));
      const { gone, events } =
        aged.length === 0 ? { gone: [], events: 0 } : await this.#erase(c, aged, cutoff);
      await this.#logChanges(c, gone);
      const last = walked.length === PURGE_CHUNK ? walked[walked.length - 1] : undefined;
      return {
        removed: { waybills: gone.length, events },
        last: last && { carrier: last.carrier, waybill: last.waybill },
      };
    });
  }

  /** A chunk of waybills with attributes and no events, aged from their last update. */
  async #orphans(cutoff: number, scope?: PurgeScope): Promise<Removed> {
    return this.#tx(async (c) => {
      // The age and the absence of events are checked by the delete itself.
      const { rows } = await c.query({
        name: 'wxtrack_purge_orphans',
        text: `DELETE FROM attributes WHERE (carrier, waybill) IN (
                 SELECT carrier, waybill FROM attributes a WHERE updated_at < $1
                   AND NOT EXISTS (SELECT 1 FROM events e WHERE e.carrier = a.carrier AND e.waybill = a.waybill)
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
    });
  }

  purgeOlderThan(cutoff: number, scope?: PurgeScope): Promise<Removed> {
    return purgeLoop(
      (after) => this.#walk(cutoff, after, scope),
      () => this.#orphans(cutoff, scope),
    );
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
