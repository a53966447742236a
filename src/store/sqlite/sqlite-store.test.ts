import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { makeRenderer } from '../renderer.js';
import { event, storeContract } from '../store.case.test.js';
import { SQLITE_MIGRATIONS } from './sqlite-migrations.js';
import { migrate, SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-sqlite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

storeContract('sqlite', async ({ renderer, clock, changeLogKeep }) => {
  const path = join(dir, `contract-${n++}.db`);
  const open = () => new SqliteStore({ path, create: true, renderer, clock, changeLogKeep });
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
  const renderer = makeRenderer(() => 'Asia/Shanghai');

  it('runs in WAL mode with synchronous=FULL and a busy timeout', () => {
    const path = join(dir, 'pragmas.db');
    const store = new SqliteStore({
      path,
      create: true,
      renderer,
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
    const a = new SqliteStore({ path, create: true, renderer, clock });
    await a.ingest('yto', [event({ eventId: 'e1' })]);
    await a.close();
    const b = new SqliteStore({ path, renderer, clock });
    expect(await b.ingest('yto', [event({ eventId: 'e1' })])).toEqual(['duplicate']);
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
      renderer,
      clock: new ManualClock(0),
      changeLogKeep: 50,
    });
    for (let i = 0; i < 400; i++) await store.setWaybillAttributes('yto', `W${i % 7}`, { destination: 'x' });
    await store.ingest(
      'yto',
      Array.from({ length: 300 }, (_, i) => event({ eventId: `e${i}`, waybill: `N${i}` })),
    );
    const db = new Database(path, { readonly: true });
    const { rows, oldest } = db.prepare('SELECT COUNT(*) AS rows, MIN(seq) AS oldest FROM changes').get() as {
      rows: number;
      oldest: number;
    };
    db.close();
    expect(await store.lastChange()).toBe(700);
    expect(rows).toBeGreaterThanOrEqual(50);
    expect(rows).toBeLessThanOrEqual(50 + 50 + 300);
    expect((await store.changesSince(oldest - 1, 1000)).changes).toHaveLength(rows);
    expect((await store.changesSince(oldest - 2, 1)).gap).toBe(true);
    await store.close();
  });

  it('serves a read-only store on a database from before the change log', async () => {
    const path = join(dir, 'v2.db');
    const db = new Database(path);
    migrate(db, SQLITE_MIGRATIONS.slice(0, 2));
    db.close();
    const ro = new SqliteStore({ path, renderer, clock: new ManualClock(0), readonly: true });
    expect(await ro.getReply('yto', 'X')).toBeUndefined();
    await expect(ro.lastChange()).rejects.toThrow(/changes/);
    await ro.close();
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
  const renderer = makeRenderer(() => 'Asia/Shanghai');

  it('tells duplicates from conflicts for rows stored without a fingerprint', async () => {
    const path = join(dir, 'v1.db');
    const db = new Database(path);
    migrate(db, SQLITE_MIGRATIONS.slice(0, 1));
    db.prepare(
      `INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, location, ingested_at)
       VALUES ('yto', 'old', 'YT1234567890123', ?, 2, '运输中', '快件离开【河北永清县】已发往【贵阳】', '河北永清县', 0)`,
    ).run(Date.UTC(2026, 6, 4, 12, 47, 3));
    db.close();
    const store = new SqliteStore({ path, renderer, clock: new ManualClock(0) });
    expect(
      await store.ingest('yto', [
        event({ eventId: 'old' }),
        event({ eventId: 'old', description: 'changed' }),
      ]),
    ).toEqual(['duplicate', 'conflict']);
    await store.close();
  });
});

describe('SqliteStore: rendering by appending', () => {
  const renderer = makeRenderer(() => 'Asia/Shanghai');

  it('serves the same replies whether scans arrive one by one or all at once', async () => {
    const clock = new ManualClock(0);
    const bit = new SqliteStore({ path: ':memory:', renderer, clock });
    const once = new SqliteStore({ path: ':memory:', renderer, clock });
    let s = 11;
    const rand = (n: number) => (s = (s * 48271) % 2147483647) % n;
    const events = Array.from({ length: 400 }, (_, i) =>
      event({
        eventId: `e${i}`,
        description: `scan ${i}`,
        waybill: `W${rand(20)}`,
        time: Date.UTC(2026, 6, 1) + rand(50) * 60_000,
        status: rand(7) as never,
        eta: rand(4) === 0 ? `2026-07-1${rand(9)}` : undefined,
        cells: rand(5) === 0 ? [{ key: `k${rand(5)}`, value: 'v' }] : undefined,
      }),
    );
    // Mostly in time order (the append path), with some late ones (the full render).
    const ordered = [...events].sort((a, b) => a.time - b.time || rand(3) - 1);
    // Same-time events show in ingest order, so the one-go store gets them in the order the
    // piecemeal store first stored them.
    const firstSeen = new Map<string, (typeof events)[number]>();
    const feed = async (batch: typeof events) => {
      await bit.ingest('yto', batch);
      for (const e of batch) if (!firstSeen.has(e.eventId)) firstSeen.set(e.eventId, e);
    };
    for (let i = 0; i < ordered.length; i += 1 + rand(7)) await feed(ordered.slice(i, i + 1 + rand(7)));
    await bit.setWaybillAttributes('yto', 'W3', { eta: '2026-09-09' });
    await feed(ordered); // anything the uneven slicing skipped, now late
    await once.setWaybillAttributes('yto', 'W3', { eta: '2026-09-09' });
    await once.ingest('yto', [...firstSeen.values()]);
    for (let w = 0; w < 20; w++) {
      expect(String((await bit.getReply('yto', `W${w}`))?.json), `W${w}`).toBe(
        String((await once.getReply('yto', `W${w}`))?.json),
      );
    }
    await bit.close();
    await once.close();
  });
});
