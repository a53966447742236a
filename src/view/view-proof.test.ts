/**
 * The reply view proves it derives from the store it serves (issue: a view after a database
 * restore). Each case leaves a view file that reflects writes the database then loses or never
 * had, and checks that the next gateway start resets the view instead of serving them: every
 * reply through the view equals the reply rendered on read from the database as it is.
 *
 * - restore: a backup copied back, then new writes, so the log's seq passes the view's (the
 *   issue's reproduction: 95 of 280 replies were wrong for good);
 * - rollback: a backup copied back and nothing else, so the view is ahead of the log;
 * - point-in-time recovery: back to an earlier point, then as many other writes as were lost,
 *   so the log's newest seq is exactly the view's (only the entry's tag tells them apart);
 * - replacement: another database at the same path or URL.
 *
 * On SQLite with the file copied back as an operator would (`.backup`, then `cp` with the -wal
 * and -shm files removed); on PostgreSQL by saving the schema's tables and sequences and
 * restoring them over the live ones, or by dropping and re-creating the schema.
 */
import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { oneZone, RenderOnRead } from '../reply/render-on-read.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { event } from '../store/store.case.test.js';
import type { Store } from '../store/store.js';
import { createTestSchema, TEST_POSTGRES_URL, type TestSchema } from '../testing/postgres-schema.js';
import { needs } from '../testing/services.js';
import { LmdbReplyView } from './lmdb/lmdb-view.js';
import { ViewedReplies } from './viewed-replies.js';

const postgres = await needs('postgres');
const dir = mkdtempSync(join(tmpdir(), 'wxtrack-proof-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const T0 = Date.UTC(2026, 6, 8);

/** A database that can be backed up, restored over, and replaced at the same address. */
interface Backend {
  open(): Promise<Store>;
  /** Takes a backup; the database must have no open store. */
  backup(): Promise<void>;
  /** Puts the backup back in place of the database (no store open). */
  restore(): Promise<void>;
  /** Makes another, empty database at the same address (no store open). */
  replace(): Promise<void>;
  dispose(): Promise<void>;
}

function sqliteBackend(): Backend {
  const path = join(dir, `proof-${n++}.db`);
  const backupPath = path + '.backup';
  const clock = new ManualClock(T0);
  const removeWal = () => {
    rmSync(path + '-wal', { force: true });
    rmSync(path + '-shm', { force: true });
  };
  return {
    open: () => Promise.resolve(new SqliteStore({ path, create: true, clock })),
    backup: async () => {
      const db = new Database(path);
      await db.backup(backupPath);
      db.close();
    },
    restore: () => {
      copyFileSync(backupPath, path);
      removeWal();
      return Promise.resolve();
    },
    replace: () => {
      rmSync(path);
      removeWal();
      return Promise.resolve();
    },
    dispose: () => Promise.resolve(),
  };
}

const TABLES = ['events', 'attributes', 'owners', 'changes', 'change_log', 'store_meta', 'api_keys'];
const SEQUENCES: [string, string][] = [
  ['events', 'seq'],
  ['changes', 'seq'],
  ['api_keys', 'added'],
];

function postgresBackend(): Backend {
  let schema: TestSchema | undefined;
  const clock = new ManualClock(T0);
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
    await client.connect();
    try {
      return (await client.query(sql)).rows as Record<string, unknown>[];
    } finally {
      await client.end();
    }
  };
  const saved = () => `${schema!.schema}_saved`;
  return {
    open: async () => {
      schema ??= await createTestSchema('wxtrack_proof');
      return PostgresStore.open({ pool: schema.pool(), clock });
    },
    // What a physical backup and its restore leave: the same rows, the same sequence positions.
    backup: async () => {
      const s = schema!.schema;
      await admin(`DROP SCHEMA IF EXISTS ${saved()} CASCADE; CREATE SCHEMA ${saved()}`);
      for (const t of TABLES) await admin(`CREATE TABLE ${saved()}.${t} AS SELECT * FROM ${s}.${t}`);
      await admin(`CREATE TABLE ${saved()}.sequences (name text, last_value bigint, is_called boolean)`);
      for (const [t, c] of SEQUENCES) {
        const seq = `pg_get_serial_sequence('${s}.${t}', '${c}')`;
        const [row] = await admin(`SELECT ${seq} AS name`);
        await admin(
          `INSERT INTO ${saved()}.sequences SELECT '${String(row!.name)}', last_value, is_called FROM ${String(row!.name)}`,
        );
      }
    },
    restore: async () => {
      const s = schema!.schema;
      await admin(`TRUNCATE ${TABLES.map((t) => `${s}.${t}`).join(', ')}`);
      for (const t of TABLES) {
        await admin(`INSERT INTO ${s}.${t} OVERRIDING SYSTEM VALUE SELECT * FROM ${saved()}.${t}`);
      }
      for (const row of await admin(`SELECT name, last_value, is_called FROM ${saved()}.sequences`)) {
        await admin(
          `SELECT setval('${String(row.name)}', ${String(row.last_value)}, ${String(row.is_called)})`,
        );
      }
    },
    replace: async () => {
      const s = schema!.schema;
      await admin(`DROP SCHEMA ${s} CASCADE; CREATE SCHEMA ${s}`);
    },
    dispose: async () => {
      if (schema) await admin(`DROP SCHEMA IF EXISTS ${saved()} CASCADE`);
      await schema?.drop();
    },
  };
}

const waybill = (i: number) => `RS${String(i).padStart(6, '0')}`;
const scans = (from: number, to: number, tag: string, status = 2) =>
  Array.from({ length: to - from }, (_, k) =>
    event({
      eventId: `${tag}-${from + k}`,
      waybill: waybill(from + k),
      time: T0 + 3_600_000,
      status: status as never,
      description: `${tag} scan`,
    }),
  );
const initial = () =>
  Array.from({ length: 100 }, (_, i) =>
    [0, 1, 2].map((k) =>
      event({
        eventId: `init-${i}-${k}`,
        waybill: waybill(i),
        time: T0 + k * 60_000,
        description: `init ${k}`,
      }),
    ),
  ).flat();

/** A gateway start: the store, and a reply view on the view file, caught up at start. */
async function gateway(backend: Backend, viewPath: string) {
  const store = await backend.open();
  const replies = new ViewedReplies({
    source: new RenderOnRead(store, oneZone()),
    feed: store,
    waybills: store,
    view: new LmdbReplyView({ path: viewPath }),
    clock: new ManualClock(T0),
    timer: { every: () => () => {} },
  });
  await replies.start();
  const render = new RenderOnRead(store, oneZone());
  return {
    store,
    replies,
    /** A write through this gateway, answered once its view caught up. */
    write: async (events: ReturnType<typeof scans>) => {
      await store.append('default', events);
      await replies.catchUp();
    },
    /** Queries every waybill through the view (filling it) and lets the fills land. */
    queryAll: async () => {
      for (let i = 0; i < 100; i++) await replies.getReply('default', waybill(i), 'oReader');
      await new Promise((r) => setImmediate(r));
    },
    /** Waybills whose reply through the view is not the one rendered from the store now. */
    wrong: async () => {
      const out: string[] = [];
      for (let i = 0; i < 100; i++) {
        const viewed = await replies.getReply('default', waybill(i), 'oReader');
        const fresh = await render.getReply('default', waybill(i));
        if (viewed?.json.toString() !== fresh?.json.toString()) out.push(waybill(i));
      }
      return out;
    },
    close: async () => {
      await replies.close();
      await store.close();
    },
  };
}

/** Loads 100 waybills, backs up, then serves 20 signatures through the view and stops. */
async function servedPastTheBackup(backend: Backend, viewPath: string) {
  const seed = await backend.open();
  await seed.append('default', initial());
  await seed.close();
  await backend.backup();
  const first = await gateway(backend, viewPath);
  await first.queryAll();
  await first.write(scans(0, 20, 'signed', 4));
  await first.queryAll();
  const position = first.replies.stats().position;
  expect(await first.wrong()).toEqual([]);
  expect((await first.replies.getReply('default', waybill(3), 'o'))!.json.toString()).toContain(
    '"order_status":4',
  );
  await first.close();
  return position;
}

/** The next start resets the view, and every reply is the one the database renders now. */
async function expectResetAndRight(backend: Backend, viewPath: string) {
  const next = await gateway(backend, viewPath);
  try {
    expect(next.replies.stats().resets).toBe(1);
    await next.queryAll();
    expect(await next.wrong()).toEqual([]);
    return next;
  } catch (err) {
    await next.close();
    throw err;
  }
}

for (const [name, make, suite] of [
  ['SQLite', sqliteBackend, describe],
  ['PostgreSQL', postgresBackend, postgres.describe],
] as const) {
  suite(`the reply view proves its store: ${name}`, () => {
    it('resets after a restore followed by new writes past its position', async () => {
      const backend = make();
      const viewPath = join(dir, `view-${n++}.mdb`);
      try {
        const position = await servedPastTheBackup(backend, viewPath);
        await backend.restore();
        const writer = await backend.open();
        await writer.append('default', scans(20, 100, 'after-restore'));
        expect((await writer.lastChange()).seq).toBeGreaterThan(position);
        await writer.close();
        const next = await expectResetAndRight(backend, viewPath);
        // The signature the database lost is not served; the new scans are.
        expect((await next.replies.getReply('default', waybill(3), 'o'))!.json.toString()).not.toContain(
          '"order_status":4',
        );
        expect((await next.replies.getReply('default', waybill(30), 'o'))!.json.toString()).toContain(
          'after-restore scan',
        );
        await next.close();
      } finally {
        await backend.dispose();
      }
    });

    it('resets after a rollback that leaves the log behind its position', async () => {
      const backend = make();
      const viewPath = join(dir, `view-${n++}.mdb`);
      try {
        await servedPastTheBackup(backend, viewPath);
        await backend.restore();
        await (await expectResetAndRight(backend, viewPath)).close();
      } finally {
        await backend.dispose();
      }
    });

    it('resets after a point-in-time recovery whose new writes bring the log to its very seq', async () => {
      const backend = make();
      const viewPath = join(dir, `view-${n++}.mdb`);
      try {
        const position = await servedPastTheBackup(backend, viewPath);
        await backend.restore();
        // As many entries as the lost write made, for other waybills: the same seqs again.
        const writer = await backend.open();
        await writer.append('default', scans(40, 60, 'recovered'));
        expect((await writer.lastChange()).seq).toBe(position);
        await writer.close();
        await (await expectResetAndRight(backend, viewPath)).close();
      } finally {
        await backend.dispose();
      }
    });

    it('resets in front of another database at the same address', async () => {
      const backend = make();
      const viewPath = join(dir, `view-${n++}.mdb`);
      try {
        await servedPastTheBackup(backend, viewPath);
        await backend.replace();
        const writer = await backend.open();
        await writer.append('default', initial());
        await writer.append('default', scans(0, 40, 'replacement'));
        await writer.close();
        await (await expectResetAndRight(backend, viewPath)).close();
      } finally {
        await backend.dispose();
      }
    });

    it('keeps a view it can prove across a restart', async () => {
      const backend = make();
      const viewPath = join(dir, `view-${n++}.mdb`);
      try {
        await servedPastTheBackup(backend, viewPath);
        const next = await gateway(backend, viewPath);
        expect(next.replies.stats()).toMatchObject({ resets: 0, entries: 100 });
        expect(await next.wrong()).toEqual([]);
        await next.close();
      } finally {
        await backend.dispose();
      }
    });
  });
}
