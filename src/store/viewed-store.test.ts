import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { wrapStore } from '../testing/wrap-store.js';
import { inflateReply, isIntactReply } from '../view/deflated-reply.js';
import { LmdbReplyView } from '../view/lmdb/lmdb-view.js';
import { MemoryReplyView } from '../view/memory/memory-view.js';
import type { ReplyView } from '../view/reply-view.js';
import { makeRenderer } from './renderer.js';
import { event, storeContract } from './store.case.test.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import type { Store } from './store.js';
import { ViewedStore, type ViewTimer } from './viewed-store.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-viewed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const renderer = makeRenderer(() => 'Asia/Shanghai');

storeContract('sqlite behind a reply view', async ({ renderer, clock, changeLogKeep }) => {
  const path = join(dir, `contract-${n++}.db`);
  const inner = new SqliteStore({ path, create: true, renderer, clock, changeLogKeep });
  const store = new ViewedStore({
    store: inner,
    view: new MemoryReplyView(),
    clock,
    source: 'test',
    timer: manualTimer(),
  });
  await store.start();
  const others: SqliteStore[] = [];
  return {
    store,
    another: () => {
      const other = new SqliteStore({ path, create: true, renderer, clock, changeLogKeep });
      others.push(other);
      return Promise.resolve(other);
    },
    dispose: async () => {
      for (const o of others) await o.close();
      await store.close();
    },
  };
});

/** A timer that runs only when told to: the tests poll by hand. */
function manualTimer(): ViewTimer & { tick(): void } {
  const runs = new Set<() => void>();
  return {
    every(_ms, run) {
      runs.add(run);
      return () => runs.delete(run);
    },
    tick: () => runs.forEach((r) => r()),
  };
}

const W1 = 'YT1000000000001';
const W2 = 'YT1000000000002';
const scan = (waybill: string, eventId: string, description = '快件已到达【贵阳转运中心】') =>
  event({ waybill, eventId, description });
const text = (reply: { json: Buffer } | undefined) => reply?.json.toString();

interface Node {
  readonly inner: SqliteStore;
  readonly store: ViewedStore;
  readonly view: ReplyView;
}

const opened: Node[] = [];
afterEach(async () => {
  for (const node of opened.splice(0)) await node.store.close();
});

/** One gateway process: its own connection to the database, and a view (shared or not). */
async function node(
  path: string,
  clock: ManualClock,
  view: ReplyView = new MemoryReplyView(),
  wrap: (s: Store) => Store = (s) => s,
): Promise<Node> {
  const inner = new SqliteStore({ path, create: true, renderer, clock });
  const store = new ViewedStore({
    store: wrap(inner),
    view,
    clock,
    source: 'file:' + path,
    timer: manualTimer(),
  });
  await store.start();
  const made = { inner, store, view };
  opened.push(made);
  return made;
}

describe('ViewedStore', () => {
  it('serves replies deflated from the view after the first read, identical to the store', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const a = await node(join(dir, `serve-${n++}.db`), clock);
    await a.store.ingest('yto', [scan(W1, 'e1')]);
    const first = await a.store.getReply('yto', W1);
    await new Promise((r) => setImmediate(r)); // the fill lands at the end of the turn
    const second = await a.store.getReply('yto', W1);
    expect(second?.deflated).toBeDefined();
    expect(inflateReply(second!.deflated!).toString()).toBe(text(await a.inner.getReply('yto', W1)));
    expect(text(first)).toBe(text(second));
    expect(a.store.stats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
    expect(await a.store.getReply('yto', 'YT9999999999999')).toBeUndefined();
  });

  it('shows a write made through it at once', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const a = await node(join(dir, `own-${n++}.db`), clock);
    await a.store.ingest('yto', [scan(W1, 'e1', 'first')]);
    await a.store.getReply('yto', W1);
    await new Promise((r) => setImmediate(r));
    await a.store.ingest('yto', [scan(W1, 'e2', 'second')]);
    expect(text(await a.store.getReply('yto', W1))).toContain('second');
    await a.store.deleteWaybill('yto', W1);
    expect(await a.store.getReply('yto', W1)).toBeUndefined();
  });

  it("drops only the waybills another process's write touched, once it polls the change log", async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const path = join(dir, `two-${n++}.db`);
    const a = await node(path, clock);
    const b = await node(path, clock);
    await a.store.ingest('yto', [scan(W1, 'e1', 'old one'), scan(W2, 'e2', 'old two')]);
    await b.store.catchUp();
    await b.store.getReply('yto', W1);
    await b.store.getReply('yto', W2);
    await new Promise((r) => setImmediate(r));
    expect(b.view.size()).toBe(2);

    await a.store.ingest('yto', [scan(W1, 'e3', 'new one')]);
    // Before b reads the log, its view still holds the old reply (bounded by the poll interval).
    expect(text(await b.store.getReply('yto', W1))).toContain('old one');
    await b.store.catchUp();
    expect(b.view.get('yto', W1)).toBeUndefined();
    expect(b.view.get('yto', W2)).toBeDefined(); // untouched: still there
    expect(text(await b.store.getReply('yto', W1))).toContain('new one');
    expect(text(await b.store.getReply('yto', W2))).toContain('old two');
  });

  it('shares one LMDB view between two processes, and a stale read never lands after a change', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const path = join(dir, `shared-${n++}.db`);
    const viewPath = join(dir, `shared-${n++}.mdb`);
    const a = await node(path, clock, new LmdbReplyView({ path: viewPath }));
    await a.store.ingest('yto', [scan(W1, 'e1', 'old one')]);
    // b reads W1 from the store, slowly: a's write and catch-up happen meanwhile.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const b = await node(path, clock, new LmdbReplyView({ path: viewPath }), (s) =>
      wrapStore(s, {
        getReply: async (c, w) => {
          const r = await s.getReply(c, w);
          await held;
          return r;
        },
      }),
    );
    const slowRead = b.store.getReply('yto', W1);
    await a.store.ingest('yto', [scan(W1, 'e2', 'new one')]);
    release();
    expect(text(await slowRead)).toContain('old one'); // read before the write: fine to return
    await new Promise((r) => setImmediate(r));
    // ...but it must not have been kept: the view was invalidated past it.
    expect(b.view.get('yto', W1)).toBeUndefined();
    expect(text(await b.store.getReply('yto', W1))).toContain('new one');
  });

  it('reads the store, not the view, once the view is behind by more than staleAfterMs', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const path = join(dir, `stale-${n++}.db`);
    const a = await node(path, clock);
    let failing = false;
    const b = await node(path, clock, new MemoryReplyView(), (s) =>
      wrapStore(s, {
        changesSince: (after, limit) =>
          failing ? Promise.reject(new Error('log gone')) : s.changesSince(after, limit),
      }),
    );
    await a.store.ingest('yto', [scan(W1, 'e1', 'old one')]);
    await b.store.catchUp();
    await b.store.getReply('yto', W1);
    await new Promise((r) => setImmediate(r));
    await a.store.ingest('yto', [scan(W1, 'e2', 'new one')]);
    failing = true;
    await expect(b.store.catchUp()).rejects.toThrow('log gone');
    expect(b.store.trusted()).toBe(false);
    expect(text(await b.store.getReply('yto', W1))).toContain('new one');
    failing = false;
    await b.store.catchUp();
    expect(b.store.trusted()).toBe(true);
    // No catch-up for longer than staleAfterMs: distrusted again.
    clock.advance(1001);
    expect(b.store.trusted()).toBe(false);
    expect(b.store.stats().distrusted).toBeGreaterThan(0);
  });

  it('drops everything on a gap in the change log, and on a view derived from another store', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const path = join(dir, `gap-${n++}.db`);
    let gap = false;
    const view = new MemoryReplyView();
    const a = await node(path, clock, view, (s) =>
      wrapStore(s, {
        changesSince: async (after, limit) => {
          const page = await s.changesSince(after, limit);
          if (!gap) return page;
          gap = false; // the first page reports the gap; after the reset the log reads on
          return { ...page, gap: true };
        },
      }),
    );
    await a.store.ingest('yto', [scan(W1, 'e1'), scan(W2, 'e2')]);
    await a.store.getReply('yto', W1);
    await a.store.getReply('yto', W2);
    await new Promise((r) => setImmediate(r));
    expect(view.size()).toBe(2);
    gap = true;
    await a.store.catchUp();
    expect(gap).toBe(false);
    expect(view.size()).toBe(0);
    expect(view.position()).toBe(await a.inner.lastChange());

    await view.fill(view.position(), [{ carrier: 'yto', waybill: W1, value: Buffer.from('x') }]);
    const other = new ViewedStore({
      store: a.inner,
      view,
      clock,
      source: 'file:/another.db',
      timer: manualTimer(),
    });
    await other.start();
    expect(view.size()).toBe(0);
    expect(view.source()).toMatch(/^file:\/another\.db#reply-layout-/);
  });

  it('never serves a stored reply with a flipped bit: it reads the store, and replaces the value', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const a = await node(join(dir, `flip-${n++}.db`), clock);
    await a.store.ingest('yto', [scan(W1, 'e1')]);
    const truth = text(await a.inner.getReply('yto', W1));
    await a.store.getReply('yto', W1);
    await new Promise((r) => setImmediate(r));
    const good = a.view.get('yto', W1)!;
    expect(isIntactReply(good)).toBe(true);
    // Every bit of the header, and bits spread over the DEFLATE blocks.
    const bits = [
      ...Array.from({ length: 128 }, (_, i) => i),
      ...Array.from({ length: 40 }, (_, i) => 128 + i * 97),
    ];
    for (const bit of bits.filter((b) => b < good.length * 8)) {
      const bad = Buffer.from(good);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      await a.view.fill(a.view.position(), [{ carrier: 'yto', waybill: W1, value: bad }]);
      const got = await a.store.readReply('yto', W1);
      expect(text(got), `bit ${bit}`).toBe(truth);
      await new Promise((r) => setImmediate(r)); // the fill lands at the end of the turn
      expect(a.view.get('yto', W1)!.equals(good), `bit ${bit}`).toBe(true);
    }
    expect(a.store.stats().damaged).toBe(bits.filter((b) => b < good.length * 8).length);
    // Intact again: served from the view, at once.
    const hit = a.store.readReply('yto', W1);
    expect(hit instanceof Promise).toBe(false);
  });

  it('empties a view written in an older reply layout at start', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const path = join(dir, `layout-${n++}.db`);
    const view = new MemoryReplyView();
    const inner = new SqliteStore({ path, create: true, renderer, clock });
    await inner.ingest('yto', [scan(W1, 'e1')]);
    await view.reset(await inner.lastChange(), 'file:' + path); // the source as layout 1 named it
    await view.fill(view.position(), [{ carrier: 'yto', waybill: W1, value: Buffer.from('layout 1') }]);
    await inner.close();
    const a = await node(path, clock, view);
    expect(view.size()).toBe(0);
    expect(text(await a.store.getReply('yto', W1))).toBe(text(await a.inner.getReply('yto', W1)));
  });
});
