import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterAll, expect, it, onTestFinished } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { createTestSchema, TEST_POSTGRES_URL, type TestSchema } from '../../testing/postgres-schema.js';
import { needs } from '../../testing/services.js';
import type { ScanEvent } from '../../tracking/event.js';
import { SqliteStore } from '../sqlite/sqlite-store.js';
import { event, storeContract } from '../store.case.test.js';
import type { IngestOutcome, Store } from '../store.js';
import type { PgClient, PgPool } from './postgres-driver.js';
import {
  dayOf,
  migratePostgres,
  PARTITIONS_AHEAD,
  partitionName,
  POSTGRES_MIGRATIONS,
  schemaLocks,
} from './postgres-migrations.js';
import { createPostgresPool } from './postgres-pool.js';
import { PostgresStore } from './postgres-store.js';
import { replyOf } from '../../testing/render-reply.js';
import { RenderOnRead } from '../../reply/render-on-read.js';
import { GOLDEN_CARRIERS } from '../../reply/testing/golden-trace.js';
import { previousReleaseRows } from '../testing/previous-release.js';

const T0 = Date.UTC(2026, 6, 4, 12, 47, 3);
const postgres = await needs('postgres');

postgres.describe('PostgreSQL', () =>
  storeContract('postgres', async ({ clock, changeLogKeep }) => {
    const schema = await createTestSchema('wxtrack_contract');
    const open = () => PostgresStore.open({ pool: schema.pool(), clock, changeLogKeep });
    const stores = [await open()];
    return {
      store: stores[0]!,
      another: async () => {
        const other = await open();
        stores.push(other);
        return other;
      },
      dispose: async () => {
        for (const s of stores) await s.close();
        await schema.drop();
      },
    };
  }),
);

/** Schemas this file made, dropped at the end even when a test fails. */
const schemas: TestSchema[] = [];
const stores: Store[] = [];
afterAll(async () => {
  // A store stuck in a failed test must not keep its schema alive: close with a bound, then drop.
  await Promise.all(
    stores.map((s) =>
      Promise.race([s.close().catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]),
    ),
  );
  for (const s of schemas) await s.drop();
});
async function fresh(): Promise<TestSchema> {
  const s = await createTestSchema('wxtrack_pg');
  schemas.push(s);
  return s;
}
async function openStore(schema: TestSchema, pool: PgPool = schema.pool(), clock = new ManualClock(T0)) {
  const store = await PostgresStore.open({ pool, clock });
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

postgres.describe('PostgresStore: migrations', () => {
  it('applies each migration once when several nodes start on a new schema at once', async () => {
    const schema = await fresh();
    const pools = Array.from({ length: 6 }, () => schema.pool(1));
    const applied = await Promise.all(pools.map((p) => migratePostgres(p)));
    expect(applied.reduce((a, b) => a + b, 0)).toBe(POSTGRES_MIGRATIONS.length);
    await Promise.all(pools.map((p) => p.end()));
    const versions = await sql<{ version: number }>(
      schema,
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(versions.map((v) => v.version)).toEqual(POSTGRES_MIGRATIONS.map((m) => m.version));
    const tables = await sql<{ table_name: string }>(
      schema,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()
         AND table_name NOT LIKE 'events_p%' ORDER BY 1`,
    );
    expect(tables.map((t) => t.table_name)).toEqual([
      'api_keys',
      'attributes',
      'change_log',
      'changes',
      'event_days',
      'event_keys',
      'events',
      'owners',
      'schema_migrations',
      'store_meta',
      'waybills',
    ]);
    // Day partitions from yesterday through a week ahead, made once.
    const today = dayOf(Date.now());
    const days = await sql<{ day: number; relname: string }>(
      schema,
      'SELECT day, relname FROM event_days ORDER BY day',
    );
    expect(days.map((d) => d.day)).toEqual(
      Array.from({ length: PARTITIONS_AHEAD + 2 }, (_, i) => today - 1 + i),
    );
    expect(days[1]!.relname).toBe(partitionName(today));
    // Stores opening it now find nothing to do.
    const store = await openStore(schema);
    expect(await store.lastChange()).toMatchObject({ seq: 0, tag: '' });
  });

  it('rolls back a failing migration and leaves the version unrecorded', async () => {
    const schema = await fresh();
    const pool = schema.pool(1);
    const broken = [
      ...POSTGRES_MIGRATIONS,
      { version: 99, name: 'broken', sql: 'CREATE TABLE t (x int); SELECT nope FROM nowhere;' },
    ];
    await expect(migratePostgres(pool, broken)).rejects.toThrow(/nowhere/);
    expect(await migratePostgres(pool)).toBe(0);
    await pool.end();
    expect(await sql(schema, 'SELECT MAX(version) AS v FROM schema_migrations')).toEqual([
      { v: POSTGRES_MIGRATIONS.length },
    ]);
    expect(await sql(schema, "SELECT 1 FROM information_schema.tables WHERE table_name = 't'")).toEqual([]);
  });
});

/** Events of one waybill: `own` of this writer and `shared` ones both writers send. */
const burst = (who: string, waybill: string, own: number, shared: number): ScanEvent[] => [
  ...Array.from({ length: own }, (_, i) =>
    event({ eventId: `${waybill}-${who}${i}`, waybill, time: T0 + i * 1000, description: `${who} ${i}` }),
  ),
  ...Array.from({ length: shared }, (_, i) =>
    event({ eventId: `${waybill}-s${i}`, waybill, time: T0 + i * 1000 + 500, description: `shared ${i}` }),
  ),
];

/** Each event stored once. */
async function expectComplete(store: Store, waybill: string, events: number): Promise<void> {
  const rec = (await store.readWaybill('yto', waybill))!;
  expect(rec.events).toHaveLength(events);
  expect(new Set(rec.events.map((e) => e.eventId)).size).toBe(events);
}

function expectSharedOnce(a: IngestOutcome[], b: IngestOutcome[], own: number): void {
  const shared = a.slice(own).map((o, i) => [o, b[own + i]].sort());
  for (const pair of shared) expect(pair).toEqual(['duplicate', 'inserted']);
  expect(a.slice(0, own).every((o) => o === 'inserted')).toBe(true);
  expect(b.slice(0, own).every((o) => o === 'inserted')).toBe(true);
}

postgres.describe('PostgresStore: concurrent writers', () => {
  it('stores each event once when two nodes append to one waybill at once', async () => {
    const schema = await fresh();
    const a = await openStore(schema);
    const b = await openStore(schema);
    for (let round = 0; round < 20; round++) {
      // Odd rounds share no event.
      const w = `W${round}`;
      const shared = round % 2 === 0 ? 5 : 0;
      const [oa, ob] = await Promise.all([
        a.append('yto', burst('a', w, 10, shared)),
        b.append('yto', burst('b', w, 10, shared)),
      ]);
      expectSharedOnce(oa, ob, 10);
      await expectComplete(a, w, 20 + shared);
    }
  });

  it('does the same with attribute changes, erasures and purges racing the ingests', async () => {
    const schema = await fresh();
    const a = await openStore(schema);
    const b = await openStore(schema);
    for (let round = 0; round < 10; round++) {
      const w = `R${round}`;
      await Promise.all([
        a.append('yto', burst('a', w, 6, 3)),
        b.setAttributes('yto', w, { eta: '2026-08-01' }),
        b.append('yto', burst('b', w, 6, 3)),
        a.purgeOlderThan(T0 - 1),
      ]);
      const rec = (await a.readWaybill('yto', w))!;
      expect(rec.events).toHaveLength(15);
      expect(rec.attributes.eta).toBe('2026-08-01');
      const [gone] = await Promise.all([a.deleteWaybill('yto', w), b.append('yto', burst('c', w, 2, 0))]);
      const left = await b.readWaybill('yto', w);
      // Either order is fine; never a half-erased waybill.
      if (left) {
        expect(gone).toEqual({ waybills: 1, events: 15 });
        expect(left.events.map((e) => e.eventId)).toEqual([`${w}-c0`, `${w}-c1`]);
        expect(left.attributes.eta).toBeUndefined();
      } else {
        expect(gone).toEqual({ waybills: 1, events: 17 });
      }
    }
  });

  it('stores each event once when two processes ingest the same waybills at once', async () => {
    const built = new URL('../../../dist/store/postgres/postgres-store.js', import.meta.url);
    if (!existsSync(built)) throw new Error('needs the built store: run `npm run build` (npm test does)');
    const schema = await fresh();
    const store = await openStore(schema); // migrates before the children start
    // Every round, both processes write the same ten waybills: however far apart the two start,
    // they keep writing the same waybills at the same time. The last rounds also send events
    // both send (which makes the second writer wait for the first's commit; the earlier rounds
    // have nothing but the store's own locking to order them).
    const rounds = 12;
    const sharedFrom = 10;
    const waybills = Array.from({ length: 100 }, (_, i) => `Q${i}`);
    const child = (who: string) => {
      const code = `
        import { PostgresStore } from ${JSON.stringify(built.href)};
        import { createPostgresPool } from ${JSON.stringify(new URL('postgres-pool.js', built).href)};
        const [url, schema, who, rounds] = process.argv.slice(1);
        const T0 = ${T0};
        const store = await PostgresStore.open({
          pool: createPostgresPool({ url, schema, max: 2 }),
          clock: { now: () => Date.now() },
          migrate: false,
        });
        const ev = (id, waybill, time, description) => ({ waybill, eventId: id, time, status: 2, label: '运输中',
          description, location: undefined, eta: undefined, cells: undefined });
        console.log('ready');
        for await (const _ of process.stdin) break;
        const out = [];
        for (let r = 0; r < Number(rounds); r++) {
          const events = [];
          for (let i = 0; i < 100; i++) {
            const w = 'Q' + i;
            events.push(ev(w + '-' + who + r, w, T0 + r * 1000 + (who === 'x' ? 0 : 1), who + ' ' + r));
            if (r >= ${sharedFrom}) events.push(ev(w + '-s' + r, w, T0 + r * 1000 + 500, 'shared ' + r));
          }
          // A random pause, so the two do not fall into lockstep and take turns.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 3));
          out.push(await store.append('yto', events));
        }
        console.log(JSON.stringify(out));
        await store.close();`;
      const p = spawn(
        process.execPath,
        ['--input-type=module', '-e', code, TEST_POSTGRES_URL, schema.schema, who, String(rounds)],
        {
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
      const lines = createInterface({ input: p.stdout })[Symbol.asyncIterator]();
      return {
        ready: lines.next(),
        go: () => p.stdin.end('go\n'),
        result: lines.next().then((l) => JSON.parse(String(l.value)) as IngestOutcome[][]),
        exited: new Promise<number | null>((resolve) => p.on('exit', resolve)),
      };
    };
    const [x, y] = [child('x'), child('y')];
    expect((await x.ready).value).toBe('ready');
    expect((await y.ready).value).toBe('ready');
    x.go();
    y.go();
    const [ox, oy] = await Promise.all([x.result, y.result]);
    expect(await Promise.all([x.exited, y.exited])).toEqual([0, 0]);
    for (let r = 0; r < rounds; r++) {
      const [a, b] = [ox[r]!, oy[r]!];
      // With shared events, each waybill's own event is followed by its shared one.
      for (let i = 0; i < a.length; i++) {
        if (r >= sharedFrom && i % 2 === 1) expect([a[i], b[i]].sort()).toEqual(['duplicate', 'inserted']);
        else expect([a[i], b[i]]).toEqual(['inserted', 'inserted']);
      }
    }
    for (const w of waybills) await expectComplete(store, w, rounds * 2 + rounds - sharedFrom);
  });
});

/** A pool whose transactions pause before COMMIT while `hold` is set, and say so. */
function pausingPool(inner: PgPool) {
  let hold: { reached: () => void; until: Promise<void> } | undefined;
  const pool: PgPool = {
    query: (q) => inner.query(q),
    end: () => inner.end(),
    connect: async () => {
      const c = await inner.connect();
      const client: PgClient = {
        release: (err) => c.release(err),
        query: async (q) => {
          if (q.text === 'COMMIT' && hold) {
            const h = hold;
            hold = undefined;
            h.reached();
            await h.until;
          }
          return c.query(q);
        },
      };
      return client;
    },
  };
  /** The next COMMIT waits for `until`; resolves once a transaction reached it. */
  const pauseNextCommit = (until: Promise<void>) =>
    new Promise<void>((reached) => (hold = { reached, until }));
  return { pool, pauseNextCommit };
}

postgres.describe('PostgresStore: change log in commit order', () => {
  it('gives a writer that commits later a later seq, so a reader never skips a slow commit', async () => {
    const schema = await fresh();
    const slow = pausingPool(schema.pool());
    const a = await openStore(schema, slow.pool);
    const b = await openStore(schema);
    const reader = await openStore(schema);
    const start = await reader.lastChange();

    let release!: () => void;
    const reached = slow.pauseNextCommit(new Promise<void>((r) => (release = r)));
    onTestFinished(() => release()); // never leave A paused, even when an expectation fails
    const order: string[] = [];
    const writeA = a.setAttributes('yto', 'A', { destination: 'a' }).then(() => order.push('A'));
    await reached; // A holds its change entry, uncommitted.
    const writeB = b.setAttributes('yto', 'B', { destination: 'b' }).then(() => order.push('B'));
    // B either finishes or queues behind A for the change-log lock.
    const key = schemaLocks(schema.schema).changes >>> 0;
    for (let i = 0; i < 500 && order.length === 0; i++) {
      const waiting = await sql(
        schema,
        `SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = $1 AND objid = 0
           AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [key],
      );
      if (waiting.length > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    // B did not commit ahead of A, and a reader sees neither yet.
    expect(order).toEqual([]);
    expect(await reader.changesSince(start, 10)).toEqual({ changes: [], next: start, gap: false });
    release();
    await Promise.all([writeA, writeB]);
    expect(order).toEqual(['A', 'B']);
    const page = await reader.changesSince(start, 10);
    expect(page.changes).toEqual([
      { carrier: 'yto', waybill: 'A' },
      { carrier: 'yto', waybill: 'B' },
    ]);
  });

  it('loses no entry to a reader polling while many nodes write at once', async () => {
    const schema = await fresh();
    const writers = await Promise.all(Array.from({ length: 4 }, () => openStore(schema)));
    const reader = await openStore(schema);
    const seen: string[] = [];
    let at = await reader.lastChange();
    let done = false;
    const poll = (async () => {
      while (!done) {
        const page = await reader.changesSince(at, 1000);
        expect(page.gap).toBe(false);
        for (const c of page.changes) seen.push(c.waybill);
        at = page.next;
      }
    })();
    await Promise.all(
      writers.map(async (w, i) => {
        for (let n = 0; n < 30; n++) {
          if (n % 3 === 0) await w.setAttributes('yto', `C${i}-${n}`, { destination: 'x' });
          else await w.append('yto', [event({ eventId: `c${i}-${n}`, waybill: `C${i}-${n}` })]);
        }
      }),
    );
    done = true;
    await poll;
    const rest = await reader.changesSince(at, 1000);
    seen.push(...rest.changes.map((c) => c.waybill));
    expect(seen).toHaveLength(4 * 30);
    expect(new Set(seen).size).toBe(4 * 30);
  });
});

postgres.describe('PostgresStore: same replies as SQLite', () => {
  it('reads back what renders byte-identical replies for the same writes', async () => {
    const schema = await fresh();
    const clock = new ManualClock(T0);
    const pg = await openStore(schema, schema.pool(), clock);
    const lite = new SqliteStore({ path: ':memory:', clock });
    let s = 7;
    const rand = (n: number) => (s = (s * 48271) % 2147483647) % n;
    const events = Array.from({ length: 300 }, (_, i) =>
      event({
        eventId: `e${rand(280)}`,
        description: `scan ${i} 【贵阳】`,
        waybill: `W${rand(15)}`,
        time: T0 + rand(40) * 60_000,
        status: rand(7) as never,
        location: rand(3) === 0 ? undefined : '河北永清县',
        eta: rand(4) === 0 ? `2026-07-1${rand(9)}` : undefined,
        cells: rand(5) === 0 ? [{ key: `k${rand(5)}`, value: 'v' }] : undefined,
      }),
    );
    for (let i = 0; i < events.length;) {
      const batch = events.slice(i, (i += 1 + rand(9)));
      expect(await pg.append('yto', batch)).toEqual(await lite.append('yto', batch));
      if (rand(10) === 0) {
        const w = `W${rand(15)}`;
        const patch =
          rand(2) === 0 ? { eta: '2026-09-09' } : { cells: [{ key: 'pay', value: '去支付' }], eta: null };
        await pg.setAttributes('yto', w, patch);
        await lite.setAttributes('yto', w, patch);
      }
      clock.advance(1000);
    }
    expect(await pg.listWaybills('yto', { limit: 100 })).toEqual(
      await lite.listWaybills('yto', { limit: 100 }),
    );
    for (let w = 0; w < 15; w++) {
      const [p, l] = [await replyOf(pg, 'yto', `W${w}`), await replyOf(lite, 'yto', `W${w}`)];
      expect(p?.json.equals(l!.json), `W${w}`).toBe(true);
      const strip = (r: Awaited<ReturnType<Store['readWaybill']>>) => ({
        ...r,
        events: r?.events.map(({ seq: _seq, ...e }) => e),
      });
      expect(strip(await pg.readWaybill('yto', `W${w}`))).toEqual(
        strip(await lite.readWaybill('yto', `W${w}`)),
      );
    }
    await lite.close();
  });
});

postgres.describe('PostgresStore: failures', () => {
  it('rejects, not answers, when the database fails under it', async () => {
    const schema = await fresh();
    const store = await openStore(schema);
    await store.append('yto', [event({ eventId: 'e1' })]);
    const mark = await store.lastChange();
    await sql(schema, 'DROP TABLE attributes');
    await expect(store.readWaybill('yto', 'YT1234567890123')).rejects.toThrow(/attributes/);
    await sql(schema, 'DROP TABLE changes');
    await expect(store.append('yto', [event({ eventId: 'e2' })])).rejects.toThrow(/changes/);
    await expect(store.changesSince(mark, 10)).rejects.toThrow(/changes/);
    // The failed write left nothing behind.
    expect(await sql(schema, 'SELECT event_id FROM events ORDER BY seq')).toEqual([{ event_id: 'e1' }]);
  });

  it('rejects when the server is unreachable, without the password in the error', async () => {
    const pool = createPostgresPool({
      url: 'postgres://postgres:s3cret-pw@127.0.0.1:1/test',
      connectTimeoutMs: 2000,
    });
    const err = await PostgresStore.open({ pool, clock: new ManualClock(0) }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(Error);
    expect(`${err!.message}\n${err!.stack}\n${JSON.stringify(err)}`).not.toContain('s3cret-pw');
  });

  it('refuses a schema name that would need quoting', () => {
    expect(() => createPostgresPool({ url: TEST_POSTGRES_URL, schema: 'x; drop' })).toThrow(RangeError);
  });
});

postgres.describe("PostgresStore: migration 2 on the previous release's schema", () => {
  it('carries events, attributes and the change log forward; render on read gives the stored replies', async () => {
    const schema = await fresh();
    const pool = schema.pool(1);
    await migratePostgres(pool, POSTGRES_MIGRATIONS.slice(0, 1));
    const { events, waybills } = previousReleaseRows();
    const col = <T>(f: (r: (typeof events)[number]) => T) => events.map(f);
    await pool.query({
      text: `INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at, fingerprint)
             SELECT c, i, w, t, s, l, d, lo, e, ce, 5, 'old' FROM unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int2[],
               $6::text[], $7::text[], $8::text[], $9::text[], $10::text[]) WITH ORDINALITY AS u(c, i, w, t, s, l, d, lo, e, ce, ord)
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
      ],
    });
    await pool.query({
      text: `INSERT INTO waybills (carrier, waybill, reply, status, last_event_at, updated_at, eta, cells, destination)
             SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int2[], $5::int8[], $6::int8[], $7::text[], $8::text[], $9::text[])`,
      values: [
        waybills.map((w) => w.carrier),
        waybills.map((w) => w.waybill),
        waybills.map((w) => w.reply),
        waybills.map(() => 0),
        waybills.map((w) => w.lastEventAt),
        waybills.map(() => 7),
        waybills.map((w) => w.eta),
        waybills.map((w) => w.cells),
        waybills.map((w) => w.destination),
      ],
    });
    // A change log the previous release pruned through seq 3, with entries 4..10 left.
    await pool.query({
      text: `INSERT INTO changes (carrier, waybill) SELECT 'yto', 'C' || g FROM generate_series(1, 10) AS g ORDER BY g`,
    });
    await pool.query({ text: 'DELETE FROM changes WHERE seq <= 3' });
    await pool.query({ text: 'UPDATE change_log SET pruned_through = 3' });
    await pool.end();

    const store = await openStore(schema);
    const render = new RenderOnRead(store, (c) => GOLDEN_CARRIERS[c]!);
    for (const w of waybills) {
      expect((await render.getReply(w.carrier, w.waybill))?.json.toString(), w.waybill).toBe(w.reply);
    }
    expect((await store.readWaybill('yto', 'NOSCAN1'))!.attributes.eta).toBe('2026-12-24');
    const newest = await store.lastChange();
    expect(newest.seq).toBe(10);
    expect(newest.tag).not.toBe('');
    const page = await store.changesSince({ store: newest.store, seq: 3, tag: '' }, 100);
    expect(page.gap).toBe(false);
    expect(page.changes.map((c) => c.waybill)).toEqual(['C4', 'C5', 'C6', 'C7', 'C8', 'C9', 'C10']);
    await store.append('yto', [event({ eventId: 'new', waybill: 'NEW' })]);
    expect((await store.lastChange()).seq).toBe(11);
    expect(
      await sql(
        schema,
        "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND column_name = 'reply'",
      ),
    ).toEqual([]);
  });
});
