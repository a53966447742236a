/**
 * The partitioned layout (migration 4) on the real PostgreSQL: databases of the previous release
 * (30a54ac: migration 1, a rendered reply per waybill) and of the events-only release (migration
 * 3, owners) migrate forward keeping every event, waybill, key and owner; retention drops a
 * partition whose waybills are all aged, keeps one a straddling waybill still lives in, and a
 * late scan of a waybill whose partition is being purged starts it again in today's partition.
 */
import { afterAll, expect, it } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { createTestSchema, type TestSchema } from '../../testing/postgres-schema.js';
import { needs } from '../../testing/services.js';
import type { ScanEvent } from '../../tracking/event.js';
import { eventFingerprint } from '../../tracking/fingerprint.js';
import { personalColumn } from '../sql/rows.js';
import { event } from '../store.case.test.js';
import type { ApiKeyRecord, Store } from '../store.js';
import { previousReleaseRows } from '../testing/previous-release.js';
import type { PgPool } from './postgres-driver.js';
import { DAY_MS, dayOf, migratePostgres, partitionName, POSTGRES_MIGRATIONS } from './postgres-migrations.js';
import { PostgresStore } from './postgres-store.js';

const postgres = await needs('postgres');
const T0 = Date.UTC(2026, 6, 4, 12, 47, 3);

const schemas: TestSchema[] = [];
const stores: Store[] = [];
afterAll(async () => {
  for (const s of stores) await s.close().catch(() => undefined);
  for (const s of schemas) await s.drop();
});
async function fresh(): Promise<TestSchema> {
  const s = await createTestSchema('wxtrack_part');
  schemas.push(s);
  return s;
}
async function openStore(schema: TestSchema, clock: ManualClock): Promise<PostgresStore> {
  const store = await PostgresStore.open({ pool: schema.pool(), clock });
  stores.push(store);
  return store;
}
async function sql<T>(schema: TestSchema, text: string, values: unknown[] = []): Promise<T[]> {
  const pool = schema.pool(1);
  try {
    return (await pool.query({ text, values })).rows as T[];
  } finally {
    await pool.end();
  }
}

/** Events as a release before migration 4 stored them: seq, ingest time and fingerprint each. */
async function insertOldEvents(
  pool: PgPool,
  rows: readonly { carrier: string; event: ScanEvent; ingestedAt: number }[],
  withPersonal: boolean,
): Promise<void> {
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  await pool.query({
    text: `INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at, fingerprint${withPersonal ? ', personal' : ''})
           SELECT c, i, w, t, s, l, d, lo, e, ce, ia, fp${withPersonal ? ', pe' : ''}
           FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int2[], $6::text[], $7::text[],
                       $8::text[], $9::text[], $10::text[], $11::int8[], $12::text[], $13::text[])
             WITH ORDINALITY AS u(c, i, w, t, s, l, d, lo, e, ce, ia, fp, pe, ord)
           ORDER BY ord`,
    values: [
      col((r) => r.carrier),
      col((r) => r.event.eventId),
      col((r) => r.event.waybill),
      col((r) => r.event.time),
      col((r) => r.event.status),
      col((r) => r.event.label),
      col((r) => r.event.description),
      col((r) => r.event.location ?? null),
      col((r) => r.event.eta ?? null),
      col((r) => (r.event.cells === undefined ? null : JSON.stringify(r.event.cells))),
      col((r) => r.ingestedAt),
      col((r) => eventFingerprint(r.event)),
      col((r) => personalColumn(r.event)),
    ],
  });
}

const KEYS: ApiKeyRecord[] = [
  { id: 'k1', name: 'sorter', carrier: 'yto', hash: 'h1', createdAt: 1, revokedAt: undefined },
  { id: 'k2', name: 'old', carrier: 'sf', hash: 'h2', createdAt: 2, revokedAt: 3 },
];
async function insertKeys(pool: PgPool): Promise<void> {
  for (const k of KEYS) {
    await pool.query({
      text: 'INSERT INTO api_keys (id, name, carrier, hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)',
      values: [k.id, k.name, k.carrier, k.hash, k.createdAt, k.revokedAt ?? null],
    });
  }
}

/** Every event the old database held is there, in its order, and counts as a duplicate when re-sent. */
async function expectEveryEvent(
  store: Store,
  rows: readonly { carrier: string; event: ScanEvent }[],
): Promise<void> {
  const byWaybill = new Map<string, ScanEvent[]>();
  for (const r of rows) {
    const key = r.carrier + '\n' + r.event.waybill;
    byWaybill.set(key, [...(byWaybill.get(key) ?? []), r.event]);
  }
  for (const [key, events] of byWaybill) {
    const [carrier, waybill] = key.split('\n') as [string, string];
    const state = (await store.readWaybill(carrier, waybill))!;
    expect(state.events.map((e) => e.eventId).sort(), waybill).toEqual(events.map((e) => e.eventId).sort());
    // Ingest order (seq) survives: same-time events keep their order.
    const seqs = new Map(state.events.map((e) => [e.eventId, e.seq]));
    const inOrder = [...events].sort(
      (a, b) => a.time - b.time || seqs.get(a.eventId)! - seqs.get(b.eventId)!,
    );
    expect(state.events.map((e) => e.eventId)).toEqual(inOrder.map((e) => e.eventId));
    expect(new Set(await store.append(carrier, events))).toEqual(new Set(['duplicate']));
    expect(await store.append(carrier, [{ ...events[0]!, description: 'rewritten' }])).toEqual(['conflict']);
  }
}

postgres.describe('PostgresStore: migration 4 from earlier releases', () => {
  it("keeps every event, waybill and key of the previous release's database (30a54ac, migration 1)", async () => {
    const schema = await fresh();
    const pool = schema.pool(1);
    await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 1));
    const { events, waybills } = previousReleaseRows();
    const rows = events.map((r) => ({ carrier: r.carrier, event: r.event as ScanEvent, ingestedAt: 5 }));
    await insertOldEvents(pool, rows, false);
    await pool.query({
      text: `INSERT INTO waybills (carrier, waybill, reply, status, last_event_at, updated_at, eta, cells, destination)
             SELECT c, w, r, 0, l, 7, e, ce, d FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::text[], $6::text[], $7::text[]) AS u(c, w, r, l, e, ce, d)`,
      values: [
        waybills.map((w) => w.carrier),
        waybills.map((w) => w.waybill),
        waybills.map((w) => w.reply),
        waybills.map((w) => w.lastEventAt),
        waybills.map((w) => w.eta),
        waybills.map((w) => w.cells),
        waybills.map((w) => w.destination),
      ],
    });
    await insertKeys(pool);
    await pool.end();

    const clock = new ManualClock(T0);
    const store = await openStore(schema, clock);
    expect(await sql(schema, 'SELECT MAX(version) AS v FROM schema_migrations')).toEqual([
      { v: POSTGRES_MIGRATIONS.length },
    ]);
    expect(await store.listApiKeys()).toEqual(KEYS);
    // Every waybill: those with scans by their events, those without by their attributes.
    const counts = await store.countByCarrier();
    const expected = new Map<string, number>();
    for (const w of waybills) expected.set(w.carrier, (expected.get(w.carrier) ?? 0) + 1);
    expect(counts).toEqual(expected);
    await expectEveryEvent(store, rows);
    // The old rows sit in the legacy partition; a new waybill goes to today's.
    await store.append('yto', [event({ eventId: 'n1', waybill: 'NEWW' })]);
    expect(
      await sql(
        schema,
        `SELECT tableoid::regclass::text AS p, COUNT(*)::int AS n FROM events GROUP BY 1 ORDER BY 1`,
      ),
    ).toEqual([
      { p: 'events_legacy', n: rows.length },
      { p: partitionName(dayOf(T0)), n: 1 },
    ]);
  });

  it('keeps every event, waybill, key and owner of a migration-3 database (events only, owners)', async () => {
    const schema = await fresh();
    const pool = schema.pool(1);
    await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 3));
    const rows: { carrier: string; event: ScanEvent; ingestedAt: number }[] = [];
    for (let w = 0; w < 30; w++) {
      for (let k = 0; k < 4; k++) {
        rows.push({
          carrier: w % 3 === 0 ? 'sf' : 'yto',
          ingestedAt: T0 - 5 * DAY_MS + w,
          event: event({
            eventId: `M${w}-${k}`,
            waybill: `M${w}`,
            // Two scans at one instant: their seq decides the order.
            time: T0 - 5 * DAY_MS + Math.min(k, 2) * 60_000,
            description: `scan ${k}`,
            ...(k === 3 ? { recipientName: '张三', recipientPhone: '13800000000' } : {}),
          }),
        });
      }
    }
    await insertOldEvents(pool, rows, true);
    await pool.query({
      text: `INSERT INTO attributes (carrier, waybill, eta, destination, updated_at) VALUES
             ('yto', 'M1', '2026-08-01', '贵阳', 9), ('yto', 'NOSCAN', '2026-08-02', NULL, 9)`,
    });
    await pool.query({
      text: `INSERT INTO owners (carrier, waybill, openid_hash, bound_at) VALUES
             ('yto', 'M1', 'ha', 1), ('yto', 'M1', 'hb', 2), ('sf', 'M3', 'hc', 3)`,
    });
    await pool.query({ text: `INSERT INTO changes (carrier, waybill, tag) VALUES ('yto', 'M1', 'tag1')` });
    await insertKeys(pool);
    await pool.end();

    const clock = new ManualClock(T0);
    const store = await openStore(schema, clock);
    expect(await store.listApiKeys()).toEqual(KEYS);
    expect(await store.ownersOf('yto', 'M1')).toEqual(['ha', 'hb']);
    expect(await store.ownersOf('sf', 'M3')).toEqual(['hc']);
    expect(await store.isOwner('sf', 'M3', 'hc')).toBe(true);
    expect((await store.readWaybill('yto', 'M1'))!.attributes).toEqual({
      eta: '2026-08-01',
      cells: undefined,
      destination: '贵阳',
    });
    expect((await store.readWaybill('yto', 'NOSCAN'))!.events).toEqual([]);
    expect(await store.countByCarrier()).toEqual(
      new Map([
        ['sf', 10],
        ['yto', 21],
      ]),
    );
    const m2 = (await store.readWaybill('yto', 'M2'))!;
    expect(m2.events[3]).toMatchObject({ recipientName: '张三', recipientPhone: '13800000000' });
    expect(m2.updatedAt).toBe(T0 - 5 * DAY_MS + 2);
    expect((await store.lastChange()).seq).toBe(1);
    await expectEveryEvent(store, rows);
    // A migrated waybill's new scan joins its events in the legacy partition: it stays whole.
    await store.append('yto', [event({ eventId: 'M1-new', waybill: 'M1', time: T0 })]);
    expect(
      await sql(schema, `SELECT tableoid::regclass::text AS p FROM events WHERE event_id = 'M1-new'`),
    ).toEqual([{ p: 'events_legacy' }]);
    expect(await store.listWaybills('yto', { limit: 3 })).toEqual(['M1', 'M10', 'M11']);
  });
});

postgres.describe('PostgresStore: retention by partition', () => {
  const day = DAY_MS;

  it('drops a partition whose waybills are all aged, and keeps one a straddling waybill still lives in', async () => {
    const schema = await fresh();
    const clock = new ManualClock(T0 - 100 * day);
    const store = await openStore(schema, clock);
    // Day A: two waybills first seen; STRADDLE keeps getting scans for 95 days.
    await store.append('yto', [
      event({ eventId: 'a1', waybill: 'OLD', time: clock.now() }),
      event({ eventId: 's1', waybill: 'STRADDLE', time: clock.now() }),
    ]);
    await store.bindOwner('yto', 'OLD', 'ho', 1);
    await store.setAttributes('yto', 'OLD', { eta: '2026-04-01' });
    clock.advance(day);
    // Day B: one waybill, all aged by the end.
    await store.append('yto', [event({ eventId: 'b1', waybill: 'DAYB', time: clock.now() })]);
    clock.advance(94 * day);
    await store.append('yto', [event({ eventId: 's2', waybill: 'STRADDLE', time: clock.now() })]);
    clock.advance(5 * day); // now T0
    const dayA = dayOf(T0 - 100 * day);
    const dayB = dayA + 1;
    const cutoff = T0 - 90 * day;
    const mark = await store.lastChange();

    expect(await store.countOlderThan(cutoff)).toEqual({ waybills: 2, events: 2 });
    expect(await store.purgeOlderThan(cutoff)).toEqual({ waybills: 2, events: 2 });
    // Day B is gone whole: no partition, no row of its waybill anywhere.
    const days = await sql<{ day: number }>(schema, 'SELECT day FROM event_days ORDER BY day');
    expect(days.map((d) => d.day)).not.toContain(dayB);
    expect(
      await sql(schema, `SELECT 1 FROM information_schema.tables WHERE table_name = $1`, [
        partitionName(dayB),
      ]),
    ).toEqual([]);
    // Day A stays: STRADDLE lives in it, whole; OLD went row by row, with its owner and attributes.
    expect(days.map((d) => d.day)).toContain(dayA);
    expect((await store.readWaybill('yto', 'STRADDLE'))!.events.map((e) => e.eventId)).toEqual(['s1', 's2']);
    expect(await store.readWaybill('yto', 'OLD')).toBeUndefined();
    expect(await store.readWaybill('yto', 'DAYB')).toBeUndefined();
    expect(await store.ownersOf('yto', 'OLD')).toEqual([]);
    expect(await sql(schema, `SELECT waybill FROM waybills ORDER BY waybill`)).toEqual([
      { waybill: 'STRADDLE' },
    ]);
    expect(await sql(schema, `SELECT event_id FROM event_keys ORDER BY event_id`)).toEqual([
      { event_id: 's1' },
      { event_id: 's2' },
    ]);
    // Every reply view is told.
    const page = await store.changesSince(mark, 100);
    expect(page.changes.map((c) => c.waybill).sort()).toEqual(['DAYB', 'OLD']);
    // Erased events are free again.
    expect(await store.append('yto', [event({ eventId: 'b1', waybill: 'DAYB', time: T0 })])).toEqual([
      'inserted',
    ]);

    // Once STRADDLE ages too, day A goes whole.
    expect(await store.purgeOlderThan(T0 - day / 2)).toEqual({ waybills: 1, events: 2 });
    const left = await sql<{ day: number }>(schema, 'SELECT day FROM event_days ORDER BY day');
    expect(left.map((d) => d.day)).not.toContain(dayA);
    expect((await store.readWaybill('yto', 'DAYB'))!.events).toHaveLength(1);
  });

  it('starts a waybill again in today’s partition when a scan arrives while its old one is purged', async () => {
    const schema = await fresh();
    const clock = new ManualClock(T0 - 100 * day);
    const store = await openStore(schema, clock);
    await store.append('yto', [event({ eventId: 'o1', waybill: 'LATE', time: clock.now() })]);
    clock.set(T0);
    const old = partitionName(dayOf(T0 - 100 * day));
    // The purge's first step, as if it stopped right after the detach.
    await sql(schema, `ALTER TABLE events DETACH PARTITION ${old}`);
    await sql(schema, `UPDATE event_days SET attached = false WHERE relname = $1`, [old]);
    expect(await store.readWaybill('yto', 'LATE')).toBeUndefined();
    expect(await store.listWaybills('yto', { limit: 10 })).toEqual([]);
    // Its old event still counts as stored until the purge erases it; a new one starts it again.
    expect(
      await store.append('yto', [
        event({ eventId: 'o1', waybill: 'LATE', time: T0 - 100 * day }),
        event({ eventId: 'n1', waybill: 'LATE', time: T0 }),
      ]),
    ).toEqual(['duplicate', 'inserted']);
    expect((await store.readWaybill('yto', 'LATE'))!.events.map((e) => e.eventId)).toEqual(['n1']);
    // The purge finishes what it started and leaves the new waybill alone.
    expect(await store.purgeOlderThan(T0 - 90 * day)).toEqual({ waybills: 1, events: 1 });
    expect((await store.readWaybill('yto', 'LATE'))!.events.map((e) => e.eventId)).toEqual(['n1']);
    expect(await sql(schema, `SELECT event_id FROM event_keys`)).toEqual([{ event_id: 'n1' }]);
    expect(await sql(schema, `SELECT 1 FROM information_schema.tables WHERE table_name = $1`, [old])).toEqual(
      [],
    );
  });

  it('makes the partitions of a day it has not seen before writing to it', async () => {
    const schema = await fresh();
    const clock = new ManualClock(T0);
    const store = await openStore(schema, clock);
    clock.advance(30 * day);
    expect(await store.append('yto', [event({ eventId: 'f1', waybill: 'FUT', time: clock.now() })])).toEqual([
      'inserted',
    ]);
    expect(await sql(schema, `SELECT tableoid::regclass::text AS p FROM events`)).toEqual([
      { p: partitionName(dayOf(clock.now())) },
    ]);
  });
});
