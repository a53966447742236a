/**
 * The pulled waybills' owners cache against each real store (SQLite, PostgreSQL) and its change feed, on a manual
 * clock and a timer the test drives: hits without a store read, bindings by anyone reach it, a
 * read racing a binding is not kept, a gap drops everything, a stale feed sends lookups to the store.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createTestSchema } from '../testing/postgres-schema.js';
import { needs } from '../testing/services.js';
import { wrapStore } from '../testing/wrap-store.js';
import { FollowedOwners } from './followed-owners.js';

const H1 = 'a'.repeat(32);
const H2 = 'b'.repeat(32);

type Open = (clock: ManualClock) => Promise<{ store: Store; dispose: () => Promise<void> }>;

async function setup(open: Open, maxEntries = 100) {
  const clock = new ManualClock(1_000_000);
  const { store, dispose } = await open(clock);
  let reads = 0;
  let gapNext = false;
  const feed = {
    changesSince: async (after: Parameters<typeof store.changesSince>[0], limit: number) => {
      if (!gapNext) return store.changesSince(after, limit);
      gapNext = false;
      return { changes: [], next: await store.lastChange(), gap: true };
    },
    lastChange: () => store.lastChange(),
  };
  let hold: Promise<void> | undefined;
  const counted = wrapStore(store, {
    ownersOf: async (c, w) => {
      reads++;
      const list = await store.ownersOf(c, w);
      await hold;
      return list;
    },
  });
  const owners = new FollowedOwners({
    owners: counted,
    feed,
    clock,
    maxEntries,
    timer: { every: () => () => {} },
  });
  await owners.start();
  return {
    clock,
    store,
    owners,
    reads: () => reads,
    holdReads: (p: Promise<void> | undefined) => (hold = p),
    gapNext: () => (gapNext = true),
    dispose,
  };
}

function followedOwnersSuite(name: string, open: Open) {
  describe(`FollowedOwners: ${name}`, () => {
    it('reads the store once per waybill, then answers from memory', async () => {
      const t = await setup(open);
      await t.store.bindOwner('YTO', 'W1', H1, 0);
      await t.owners.catchUp();
      expect(await t.owners.ownersOf('YTO', 'W1')).toEqual([H1]);
      expect(t.owners.ownersOf('YTO', 'W1')).toEqual([H1]);
      expect(await t.owners.ownersOf('YTO', 'W2')).toEqual([]);
      expect(t.owners.ownersOf('YTO', 'W2')).toEqual([]);
      expect(t.reads()).toBe(2);
      await t.owners.close();
      await t.dispose();
    });

    it('a binding or an unbinding by anyone reaches it at the next catch-up', async () => {
      const t = await setup(open);
      expect(await t.owners.ownersOf('YTO', 'W1')).toEqual([]);
      await t.store.bindOwner('YTO', 'W1', H1, 0); // another node, say
      await t.owners.catchUp();
      expect(await t.owners.ownersOf('YTO', 'W1')).toEqual([H1]);
      await t.store.unbindOwner('YTO', 'W1', H1);
      await t.owners.catchUp();
      expect(await t.owners.ownersOf('YTO', 'W1')).toEqual([]);
      await t.owners.close();
      await t.dispose();
    });

    it('does not keep a list read before a change that landed meanwhile', async () => {
      const t = await setup(open);
      let release!: () => void;
      t.holdReads(new Promise<void>((r) => (release = r)));
      const reading = t.owners.ownersOf('YTO', 'W1');
      await new Promise((r) => setImmediate(r));
      await t.store.bindOwner('YTO', 'W1', H2, 0);
      await t.owners.catchUp();
      release();
      t.holdReads(undefined);
      await reading;
      // Whatever that read saw, it was not kept: the next lookup reads again and sees the binding.
      const before = t.reads();
      expect(await t.owners.ownersOf('YTO', 'W1')).toEqual([H2]);
      expect(t.reads()).toBe(before + 1);
      await t.owners.close();
      await t.dispose();
    });

    it('stale: past staleAfterMs without a catch-up, every lookup reads the store', async () => {
      const t = await setup(open);
      await t.owners.ownersOf('YTO', 'W1');
      expect(t.owners.trusted()).toBe(true);
      t.clock.advance(1_001);
      expect(t.owners.trusted()).toBe(false);
      await t.store.bindOwner('YTO', 'W1', H1, 0);
      expect(await t.owners.ownersOf('YTO', 'W1')).toEqual([H1]);
      expect(t.owners.stats().distrusted).toBe(1);
      await t.owners.catchUp();
      expect(t.owners.trusted()).toBe(true);
      await t.owners.close();
      await t.dispose();
    });

    it('a feed it cannot prove (a gap: another store, a restore) drops everything', async () => {
      const t = await setup(open);
      await t.owners.ownersOf('YTO', 'W1');
      await t.owners.ownersOf('YTO', 'W2');
      // A new cache starts with one (it proves no position yet).
      const resets = t.owners.stats().resets;
      expect(t.owners.stats().entries).toBe(2);
      t.gapNext();
      await t.owners.catchUp();
      expect(t.owners.stats()).toMatchObject({ resets: resets + 1, entries: 0 });
      const before = t.reads();
      await t.owners.ownersOf('YTO', 'W1');
      expect(t.reads()).toBe(before + 1);
      await t.owners.close();
      await t.dispose();
    });

    it('is bounded: past maxEntries the waybill looked up longest ago is read again', async () => {
      const t = await setup(open, 2);
      await t.owners.ownersOf('YTO', 'A');
      await t.owners.ownersOf('YTO', 'B');
      await t.owners.ownersOf('YTO', 'C');
      expect(t.owners.stats().entries).toBe(2);
      const before = t.reads();
      await t.owners.ownersOf('YTO', 'A');
      expect(t.reads()).toBe(before + 1);
      await t.owners.close();
      await t.dispose();
    });

    it("a pull carrier's binding record: retention expires it, erasure removes it", async () => {
      const t = await setup(open);
      await t.store.setAttributes('YTO', 'W1', {});
      await t.store.bindOwner('YTO', 'W1', H1, t.clock.now());
      await t.owners.catchUp();
      expect(await t.owners.ownersOf('YTO', 'W1')).toEqual([H1]);
      // Rebinding later restarts the record's clock; retention counts from the last binding.
      t.clock.advance(10_000);
      await t.store.setAttributes('YTO', 'W1', {});
      await t.store.purgeOlderThan(t.clock.now() - 5_000);
      await t.owners.catchUp();
      expect(await t.owners.ownersOf('YTO', 'W1')).toEqual([H1]);
      await t.store.purgeOlderThan(t.clock.now() + 1);
      await t.owners.catchUp();
      expect(await t.owners.ownersOf('YTO', 'W1')).toEqual([]);
      await t.store.setAttributes('YTO', 'W2', {});
      await t.store.bindOwner('YTO', 'W2', H2, t.clock.now());
      await t.owners.catchUp();
      expect(await t.owners.ownersOf('YTO', 'W2')).toEqual([H2]);
      expect(await t.store.deleteWaybill('YTO', 'W2')).toBeDefined();
      await t.owners.catchUp();
      expect(await t.owners.ownersOf('YTO', 'W2')).toEqual([]);
      await t.owners.close();
      await t.dispose();
    });
  });
}

followedOwnersSuite('SQLite', (clock) => {
  const store = new SqliteStore({ path: ':memory:', clock });
  return Promise.resolve({ store, dispose: () => store.close() });
});

const postgres = await needs('postgres');
postgres.describe('PostgreSQL', () =>
  followedOwnersSuite('PostgreSQL', async (clock) => {
    const schema = await createTestSchema('wxtrack_pullpriv_owners');
    const store = await PostgresStore.open({ pool: schema.pool(), clock });
    return {
      store,
      dispose: async () => {
        await store.close();
        await schema.drop();
      },
    };
  }),
);
