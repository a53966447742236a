import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { oneZone, RenderOnRead } from '../reply/render-on-read.js';
import { event } from '../store/store.case.test.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import type { ScanEvent } from '../tracking/event.js';
import { replyOf } from '../testing/render-reply.js';
import { wrapStore } from '../testing/wrap-store.js';
import { inflateReply, isIntactReply } from './deflated-reply.js';
import { LmdbReplyView } from './lmdb/lmdb-view.js';
import { MemoryReplyView } from './memory/memory-view.js';
import type { ReplyView } from './reply-view.js';
import { ViewedReplies, type ViewTimer } from './viewed-replies.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-viewed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

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
  readonly replies: ViewedReplies;
  readonly view: ReplyView;
  /** A write through this process: appended, then the after-write hook (the view catches up). */
  append(carrier: string, events: ScanEvent[]): Promise<void>;
  erase(carrier: string, waybill: string): Promise<void>;
  /** The query path's read. */
  get(carrier: string, waybill: string): Promise<{ json: Buffer; deflated?: Buffer } | undefined>;
}

const opened: Node[] = [];
afterEach(async () => {
  for (const node of opened.splice(0)) {
    await node.replies.close();
    await node.inner.close();
  }
});

/** One gateway process: its own connection to the database, and a view (shared or not). */
async function node(
  path: string,
  clock: ManualClock,
  view: ReplyView = new MemoryReplyView(),
  wrap: (s: Store) => Store = (s) => s,
): Promise<Node> {
  const inner = new SqliteStore({ path, create: true, clock });
  const store = wrap(inner);
  const replies = new ViewedReplies({
    source: new RenderOnRead(store, oneZone()),
    feed: store,
    waybills: store,
    view,
    clock,
    timer: manualTimer(),
  });
  await replies.start();
  const made: Node = {
    inner,
    replies,
    view,
    append: async (carrier, events) => {
      await store.append(carrier, events);
      await replies.catchUp();
    },
    erase: async (carrier, waybill) => {
      await store.deleteWaybill(carrier, waybill);
      await replies.catchUp();
    },
    get: async (carrier, waybill) => await replies.getReply(carrier, waybill, 'oReader'),
  };
  opened.push(made);
  return made;
}

describe('ViewedReplies', () => {
  it('never serves a stored reply with a flipped bit: it renders again, and replaces the value', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const a = await node(join(dir, `flip-${n++}.db`), clock);
    await a.append('yto', [scan(W1, 'e1')]);
    const truth = text(await replyOf(a.inner, 'yto', W1));
    await a.get('yto', W1);
    await new Promise((r) => setImmediate(r)); // the fill lands at the end of the turn
    const good = a.view.get('yto', W1)!;
    expect(isIntactReply(good)).toBe(true);
    // Every bit of the header, and bits spread over the DEFLATE blocks.
    const bits = [
      ...Array.from({ length: 128 }, (_, i) => i),
      ...Array.from({ length: 40 }, (_, i) => 128 + i * 97),
    ].filter((b) => b < good.length * 8);
    for (const bit of bits) {
      const bad = Buffer.from(good);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      await a.view.fill(a.view.position(), [{ carrier: 'yto', waybill: W1, value: bad }]);
      expect(text(await a.get('yto', W1)), `bit ${bit}`).toBe(truth);
      await new Promise((r) => setImmediate(r));
      expect(a.view.get('yto', W1)!.equals(good), `bit ${bit}`).toBe(true);
    }
    expect(a.replies.stats().damaged).toBe(bits.length);
    // Intact again: served from the view, at once.
    expect(a.replies.getReply('yto', W1, 'oReader') instanceof Promise).toBe(false);
  });

  it('serves replies deflated from the view after the first read, identical to the store', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const a = await node(join(dir, `serve-${n++}.db`), clock);
    await a.append('yto', [scan(W1, 'e1')]);
    const first = await a.get('yto', W1);
    await new Promise((r) => setImmediate(r)); // the fill lands at the end of the turn
    const second = await a.get('yto', W1);
    expect(second?.deflated).toBeDefined();
    expect(inflateReply(second!.deflated!).toString()).toBe(text(await replyOf(a.inner, 'yto', W1)));
    expect(text(first)).toBe(text(second));
    expect(a.replies.stats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
    expect(await a.get('yto', 'YT9999999999999')).toBeUndefined();
  });

  it('shows a write made through it at once', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const a = await node(join(dir, `own-${n++}.db`), clock);
    await a.append('yto', [scan(W1, 'e1', 'first')]);
    await a.get('yto', W1);
    await new Promise((r) => setImmediate(r));
    await a.append('yto', [scan(W1, 'e2', 'second')]);
    expect(text(await a.get('yto', W1))).toContain('second');
    await a.erase('yto', W1);
    expect(await a.get('yto', W1)).toBeUndefined();
  });

  it("drops only the waybills another process's write touched, once it polls the change log", async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const path = join(dir, `two-${n++}.db`);
    const a = await node(path, clock);
    const b = await node(path, clock);
    await a.append('yto', [scan(W1, 'e1', 'old one'), scan(W2, 'e2', 'old two')]);
    await b.replies.catchUp();
    await b.get('yto', W1);
    await b.get('yto', W2);
    await new Promise((r) => setImmediate(r));
    expect(b.view.size()).toBe(2);

    await a.append('yto', [scan(W1, 'e3', 'new one')]);
    // Before b reads the log, its view still holds the old reply (bounded by the poll interval).
    expect(text(await b.get('yto', W1))).toContain('old one');
    await b.replies.catchUp();
    expect(b.view.get('yto', W1)).toBeUndefined();
    expect(b.view.get('yto', W2)).toBeDefined(); // untouched: still there
    expect(text(await b.get('yto', W1))).toContain('new one');
    expect(text(await b.get('yto', W2))).toContain('old two');
  });

  it('shares one LMDB view between two processes, and a stale read never lands after a change', async () => {
    const clock = new ManualClock(Date.UTC(2026, 6, 8));
    const path = join(dir, `shared-${n++}.db`);
    const viewPath = join(dir, `shared-${n++}.mdb`);
    const a = await node(path, clock, new LmdbReplyView({ path: viewPath }));
    await a.append('yto', [scan(W1, 'e1', 'old one')]);
    // b reads W1 from the store, slowly: a's write and catch-up happen meanwhile.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const b = await node(path, clock, new LmdbReplyView({ path: viewPath }), (s) =>
      wrapStore(s, {
        readWaybill: async (c, w) => {
          const r = await s.readWaybill(c, w);
          await held;
          return r;
        },
      }),
    );
    const slowRead = b.get('yto', W1);
    await a.append('yto', [scan(W1, 'e2', 'new one')]);
    release();
    expect(text(await slowRead)).toContain('old one'); // read before the write: fine to return
    await new Promise((r) => setImmediate(r));
    // ...but it must not have been kept: the view was invalidated past it.
    expect(b.view.get('yto', W1)).toBeUndefined();
    expect(text(await b.get('yto', W1))).toContain('new one');
  });

  it('renders on read, not from the view, once the view is behind by more than staleAfterMs', async () => {
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
    await a.append('yto', [scan(W1, 'e1', 'old one')]);
    await b.replies.catchUp();
    await b.get('yto', W1);
    await new Promise((r) => setImmediate(r));
    await a.append('yto', [scan(W1, 'e2', 'new one')]);
    failing = true;
    await expect(b.replies.catchUp()).rejects.toThrow('log gone');
    expect(b.replies.trusted()).toBe(false);
    expect(text(await b.get('yto', W1))).toContain('new one');
    failing = false;
    await b.replies.catchUp();
    expect(b.replies.trusted()).toBe(true);
    // No catch-up for longer than staleAfterMs: distrusted again.
    clock.advance(1001);
    expect(b.replies.trusted()).toBe(false);
    expect(b.replies.stats().distrusted).toBeGreaterThan(0);
  });

  it('drops everything on a gap in the change feed, and in front of another store', async () => {
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
    await a.append('yto', [scan(W1, 'e1'), scan(W2, 'e2')]);
    await a.get('yto', W1);
    await a.get('yto', W2);
    await new Promise((r) => setImmediate(r));
    expect(view.size()).toBe(2);
    gap = true;
    await a.replies.catchUp();
    expect(gap).toBe(false);
    expect(view.size()).toBe(0);
    expect(view.position()).toEqual(await a.inner.lastChange());

    await view.fill(view.position(), [{ carrier: 'yto', waybill: W1, value: Buffer.from('x') }]);
    expect(view.size()).toBe(1);
    // The same view in front of another database: its position is not that store's.
    const other = await node(join(dir, `gap-other-${n++}.db`), clock, view);
    expect(view.size()).toBe(0);
    expect(view.position()).toEqual(await other.inner.lastChange());
    expect(other.replies.stats().resets).toBe(1);
  });
});
