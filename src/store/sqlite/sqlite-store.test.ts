import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { event, storeContract } from '../store.case.test.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';
import { migrate, SqliteStore } from './sqlite-store.js';
import { RenderOnRead } from '../../reply/render-on-read.js';
import { GOLDEN_CARRIERS } from '../../reply/testing/golden-trace.js';
import { previousReleaseRows } from '../testing/previous-release.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('sqlite', async ({ clock, changeLogKeep }) => {
  const path = join(dir, `contract-${n++}.db`);
  const open = () => new SqliteStore({ path, create: true, clock, changeLogKeep });
  const stores = [open()];
  return {
    store: stores[0]!,
    another: () => {
      const other = open();
      stores.push(other);
      return Promise.resolve(other);
    },
    dispose: async () => {
      for (const s of stores) await s.close();
    },
  };
});

describe('SqliteStore specifics', () => {
  it('runs in WAL mode with synchronous=FULL and a busy timeout', () => {
    const path = join(dir, 'pragmas.db');
    const store = new SqliteStore({
      path,
      create: true,
      clock: new ManualClock(0),
      busyTimeoutMs: 1234,
    });
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    void store.close();
  });

  it('keeps data across reopen, and applies each migration once', async () => {
    const path = join(dir, 'reopen.db');
    const clock = new ManualClock(0);
    const a = new SqliteStore({ path, create: true, clock });
    await a.append('yto', [event({ eventId: 'e1' })]);
    await a.close();
    const b = new SqliteStore({ path, clock });
    expect(await b.append('yto', [event({ eventId: 'e1' })])).toEqual(['duplicate']);
    await b.close();
    const db = new Database(path);
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual(
      SQLITE_MIGRATIONS.map((m) => m.version),
    );
    expect(migrate(db)).toBe(0);
    db.close();
  });

  it('enforces UNIQUE(carrier, event_id) in the schema itself', () => {
    const db = new Database(':memory:');
    migrate(db);
    const ins = db.prepare(
      `INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, ingested_at)
       VALUES ('yto', 'e1', 'W', 0, 2, 'l', 'd', 0)`,
    );
    ins.run();
    expect(() => ins.run()).toThrow(/UNIQUE/);
    db.close();
  });

  it('keeps the change log bounded: about `keep` entries plus one prune step', async () => {
    const path = join(dir, 'bounded.db');
    const store = new SqliteStore({
      path,
      create: true,
      clock: new ManualClock(0),
      changeLogKeep: 50,
    });
    for (let i = 0; i < 400; i++) await store.setAttributes('yto', `W${i % 7}`, { destination: 'x' });
    await store.append(
      'yto',
      Array.from({ length: 300 }, (_, i) => event({ eventId: `e${i}`, waybill: `N${i}` })),
    );
    const db = new Database(path, { readonly: true });
    const { rows, oldest } = db.prepare('SELECT COUNT(*) AS rows, MIN(seq) AS oldest FROM changes').get() as {
      rows: number;
      oldest: number;
    };
    const pruned = db.prepare('SELECT pruned_through AS seq, pruned_tag AS tag FROM change_log').get() as {
      seq: number;
      tag: string;
    };
    db.close();
    const newest = await store.lastChange();
    expect(newest.seq).toBe(700);
    expect(rows).toBeGreaterThanOrEqual(50);
    expect(rows).toBeLessThanOrEqual(50 + 50 + 300);
    // The pruned point is the entry before the oldest kept, and its mark is still proven.
    expect(pruned.seq).toBe(oldest - 1);
    const at = { store: newest.store, ...pruned };
    expect((await store.changesSince(at, 1000)).changes).toHaveLength(rows);
    expect((await store.changesSince({ ...at, seq: oldest - 2 }, 1)).gap).toBe(true);
    await store.close();
  });

  it('serves a read-only store, which renders nothing and writes nothing', async () => {
    const path = join(dir, 'ro.db');
    const rw = new SqliteStore({ path, create: true, clock: new ManualClock(0) });
    await rw.append('yto', [event({ eventId: 'e1' })]);
    await rw.close();
    const ro = new SqliteStore({ path, clock: new ManualClock(0), readonly: true });
    expect((await ro.readWaybill('yto', 'YT1234567890123'))!.events).toHaveLength(1);
    expect(await ro.listWaybills('yto', { limit: 5 })).toEqual(['YT1234567890123']);
    await expect(ro.append('yto', [event({ eventId: 'e2' })])).rejects.toThrow(/readonly/);
    await ro.close();
  });

  it('stores events and change entries only: no table holds a rendered reply', async () => {
    const path = join(dir, 'events-only.db');
    const store = new SqliteStore({ path, create: true, clock: new ManualClock(0) });
    await store.append('yto', [event({ eventId: 'e1' }), event({ eventId: 'e2', waybill: 'B' })]);
    await store.close();
    const db = new Database(path, { readonly: true });
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual([
      'api_keys',
      'attributes',
      'carriers',
      'change_log',
      'changes',
      'events',
      'owners',
      'schema_migrations',
      'sqlite_sequence',
      'store_meta',
    ]);
    expect(db.prepare('SELECT COUNT(*) FROM attributes').pluck().get()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) FROM changes').pluck().get()).toBe(2);
    // A waybill read is one range scan of the events index beside one attributes lookup.
    const plan = db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT a.eta, e.seq FROM (SELECT 'yto' AS carrier, 'B' AS waybill) AS k
         LEFT JOIN attributes a ON a.carrier = k.carrier AND a.waybill = k.waybill
         LEFT JOIN carriers c ON c.name = k.carrier
         LEFT JOIN events e ON e.carrier = c.id AND e.waybill = k.waybill ORDER BY e.time_ms, e.seq`,
      )
      .all() as { detail: string }[];
    const detail = plan.map((p) => p.detail).join('\n');
    expect(detail).toMatch(
      /SEARCH e USING (COVERING )?INDEX events_by_waybill \(carrier=\? AND waybill=\?\)/,
    );
    // Compact rows: the carrier by id, the status's own label left out, no fingerprint.
    const row = db.prepare('SELECT * FROM events WHERE event_id = ?').get('e1') as Record<string, unknown>;
    expect(row.carrier).toBe(db.prepare("SELECT id FROM carriers WHERE name = 'yto'").pluck().get());
    expect(row.label).toBeNull();
    expect(Object.keys(row)).not.toContain('fingerprint');
    db.close();
  });

  it('makes a new store identity for a new database at the same path', async () => {
    const path = join(dir, 'replaced.db');
    const first = new SqliteStore({ path, create: true, clock: new ManualClock(0) });
    const id = (await first.lastChange()).store;
    await first.close();
    rmSync(path);
    rmSync(path + '-wal', { force: true });
    rmSync(path + '-shm', { force: true });
    const second = new SqliteStore({ path, create: true, clock: new ManualClock(0) });
    expect((await second.lastChange()).store).not.toBe(id);
    await second.close();
  });

  it('rolls back a failing migration and leaves the version unrecorded', () => {
    const db = new Database(':memory:');
    const broken = [
      ...SQLITE_MIGRATIONS,
      { version: 99, name: 'broken', sql: 'CREATE TABLE t (x); SELECT nope FROM nowhere;' },
    ];
    expect(() => migrate(db, broken)).toThrow();
    expect(db.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(
      SQLITE_MIGRATIONS.length,
    );
    expect(db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 't'").pluck().get()).toBe(0);
    db.close();
  });
});

describe('SqliteStore: migration 2 on a database from before fingerprints', () => {
  it('tells duplicates from conflicts for rows stored without a fingerprint', async () => {
    const path = join(dir, 'v1.db');
    const db = new Database(path);
    migrate(db, SQLITE_MIGRATIONS.slice(0, 1));
    db.prepare(
      `INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, location, ingested_at)
       VALUES ('yto', 'old', 'YT1234567890123', ?, 2, '运输中', '快件离开【河北永清县】已发往【贵阳】', '河北永清县', 0)`,
    ).run(Date.UTC(2026, 6, 4, 12, 47, 3));
    db.close();
    const store = new SqliteStore({ path, clock: new ManualClock(0) });
    expect(
      await store.append('yto', [
        event({ eventId: 'old' }),
        event({ eventId: 'old', description: 'changed' }),
      ]),
    ).toEqual(['duplicate', 'conflict']);
    await store.close();
  });
});

describe("SqliteStore: migration 4 on the previous release's database", () => {
  it('carries events, attributes and the change log forward; render on read gives the stored replies', async () => {
    const path = join(dir, 'previous-release.db');
    const db = new Database(path);
    migrate(db, SQLITE_MIGRATIONS.slice(0, 3));
    const { events, waybills } = previousReleaseRows();
    const insertEvent = db.prepare(
      `INSERT INTO events (seq, carrier, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at, fingerprint)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)`,
    );
    const insertWaybill = db.prepare(
      `INSERT INTO waybills (carrier, waybill, reply, status, last_event_at, updated_at, eta, cells, destination)
       VALUES (?, ?, ?, 0, ?, 7, ?, ?, ?)`,
    );
    db.transaction(() => {
      for (const { carrier, event: e, seq } of events)
        insertEvent.run(
          seq,
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
          5,
        );
      for (const w of waybills)
        insertWaybill.run(w.carrier, w.waybill, w.reply, w.lastEventAt, w.eta, w.cells, w.destination);
      // A change log the previous release pruned through seq 3, with entries 4..10 left.
      const change = db.prepare('INSERT INTO changes (seq, carrier, waybill) VALUES (?, ?, ?)');
      for (let seq = 4; seq <= 10; seq++) change.run(seq, 'yto', `C${seq}`);
      db.prepare('UPDATE change_log SET pruned_through = 3').run();
    })();
    db.close();

    const store = new SqliteStore({ path, clock: new ManualClock(Date.UTC(2026, 11, 1)) });
    // Every stored reply, rendered on read from the migrated events and attributes.
    const render = new RenderOnRead(store, (c) => GOLDEN_CARRIERS[c]!);
    for (const w of waybills) {
      expect((await render.getReply(w.carrier, w.waybill))?.json.toString(), w.waybill).toBe(w.reply);
    }
    expect(waybills.some((w) => w.lastEventAt === 0)).toBe(true); // waybills without scans came too
    expect((await store.readWaybill('yto', 'NOSCAN1'))!.attributes.eta).toBe('2026-12-24');
    // The change log goes on from where it was, with a store identity and tagged entries.
    const newest = await store.lastChange();
    expect(newest.seq).toBe(10);
    expect(newest.tag).not.toBe('');
    const page = await store.changesSince({ store: newest.store, seq: 3, tag: '' }, 100);
    expect(page.gap).toBe(false);
    expect(page.changes.map((c) => c.waybill)).toEqual(['C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10']);
    await store.append('yto', [event({ eventId: 'new', waybill: 'NEW' })]);
    expect((await store.lastChange()).seq).toBe(11);
    // Old rows without a fingerprint still tell duplicates from conflicts.
    const first = events[0]!;
    expect(await store.append(first.carrier, [first.event as never])).toEqual(['duplicate']);
    await store.close();
    const after = new Database(path, { readonly: true });
    expect(after.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'waybills'").pluck().get()).toBe(0);
    after.close();
  });
});

describe('SqliteStore: migration 6 (compact events) on a database of migration 5', () => {
  it('keeps every event, its order, key and owner; duplicates and conflicts are told as before', async () => {
    const path = join(dir, 'v5.db');
    const db = new Database(path);
    migrate(db, SQLITE_MIGRATIONS.slice(0, 5));
    const insert = db.prepare(
      `INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at, fingerprint, personal)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const T = Date.UTC(2026, 6, 4);
    const rows = [
      ['yto', 'a1', 'W1', T, 1, '已揽件', 'picked up', '上海', '2026-07-08', null, 11, 'fp-a1', null],
      ['zto', 'a1', 'W1', T, 2, '运输中', 'same id, other carrier', null, null, null, 12, null, null],
      [
        'yto',
        'a2',
        'W1',
        T,
        2,
        '到达分拨',
        'own label, same time',
        '杭州',
        null,
        '[{"key":"k","value":"v"}]',
        13,
        'x',
        null,
      ],
      [
        'yto',
        'a3',
        'W2',
        T + 5,
        4,
        '已签收',
        'signed',
        null,
        null,
        null,
        14,
        null,
        '{"recipient_name":"王小明"}',
      ],
    ] as const;
    db.transaction(() => {
      for (const r of rows) insert.run(...r);
      db.prepare(
        `INSERT INTO api_keys (id, name, carrier, hash, created_at, revoked_at) VALUES ('k1', 'feed', 'yto', 'h', 1, NULL)`,
      ).run();
      db.prepare(
        `INSERT INTO owners (carrier, waybill, openid_hash, bound_at) VALUES ('yto', 'W2', 'o1', 3)`,
      ).run();
      db.prepare(
        `INSERT INTO attributes (carrier, waybill, eta, cells, destination, updated_at) VALUES ('yto', 'W1', '2026-07-09', NULL, NULL, 20)`,
      ).run();
    })();
    const before = new SqliteStore({ path, clock: new ManualClock(0) });
    db.close();
    await before.close();

    // Opened by the previous code path's rows, read back through the new layout.
    const store = new SqliteStore({ path, clock: new ManualClock(T + 10) });
    const w1 = (await store.readWaybill('yto', 'W1'))!;
    expect(w1.events.map((e) => [e.eventId, e.seq, e.label, e.ingestedAt, e.location, e.eta])).toEqual([
      ['a1', 1, '已揽件', 11, '上海', '2026-07-08'],
      ['a2', 3, '到达分拨', 13, '杭州', undefined],
    ]);
    expect(w1.events[1]!.cells).toEqual([{ key: 'k', value: 'v' }]);
    expect(w1.attributes.eta).toBe('2026-07-09');
    expect(w1.updatedAt).toBe(20);
    expect((await store.readWaybill('zto', 'W1'))!.events.map((e) => e.description)).toEqual([
      'same id, other carrier',
    ]);
    expect((await store.readWaybill('yto', 'W2'))!.events[0]!.recipientName).toBe('王小明');
    expect(await store.findApiKey('k1')).toMatchObject({ name: 'feed', carrier: 'yto' });
    expect(await store.ownersOf('yto', 'W2')).toEqual(['o1']);
    expect(await store.countByCarrier()).toEqual(
      new Map([
        ['yto', 2],
        ['zto', 1],
      ]),
    );
    // Re-sent: the same content is a duplicate (the stored fingerprint is gone, the row decides),
    // other content a conflict; a new id appends after the old seqs.
    const a1 = { waybill: 'W1', eventId: 'a1', time: T, status: 1 as const, label: '已揽件' };
    expect(
      await store.append('yto', [
        { ...a1, description: 'picked up', location: '上海', eta: '2026-07-08', cells: undefined },
        { ...a1, description: 'rewritten', location: '上海', eta: '2026-07-08', cells: undefined },
        { ...a1, eventId: 'a4', description: 'new', location: undefined, eta: undefined, cells: undefined },
      ]),
    ).toEqual(['duplicate', 'conflict', 'inserted']);
    // Same time: ingest order (seq) breaks the tie, as before the migration.
    expect((await store.readWaybill('yto', 'W1'))!.events.map((e) => [e.eventId, e.seq])).toEqual([
      ['a1', 1],
      ['a2', 3],
      ['a4', 5],
    ]);
    await store.close();
  });

  it('adds a carrier in the write that first names it, and forgets it when that write rolls back', async () => {
    const path = join(dir, 'carrier-rollback.db');
    const store = new SqliteStore({ path, create: true, clock: new ManualClock(0) });
    // status 9 breaks the table's CHECK: the whole append rolls back, the new carrier with it.
    await expect(store.append('sto', [event({ eventId: 'bad', status: 9 as never })])).rejects.toThrow(
      /CHECK/,
    );
    const db = new Database(path, { readonly: true });
    expect(db.prepare('SELECT COUNT(*) FROM carriers').pluck().get()).toBe(0);
    db.close();
    expect(await store.append('sto', [event({ eventId: 'good' })])).toEqual(['inserted']);
    expect((await store.readWaybill('sto', 'YT1234567890123'))!.events).toHaveLength(1);
    await store.close();
  });
});
