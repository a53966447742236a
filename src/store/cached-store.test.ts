import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryReplyCache } from '../cache/memory/memory-cache.js';
import { ManualClock } from '../clock/clock.js';
import { CachedStore } from './cached-store.js';
import { makeRenderer } from './renderer.js';
import { SqliteStore } from './sqlite/sqlite-store.js';
import { event, storeContract } from './store.case.test.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-cached-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

// The decorated store is a Store: it passes the same contract.
storeContract('sqlite + reply cache', async ({ renderer, clock }) => {
  const inner = new SqliteStore({ path: join(dir, `contract-${n++}.db`), renderer, clock });
  const store = new CachedStore({ store: inner, cache: new MemoryReplyCache({ maxBytes: 1 << 20 }), clock });
  return { store, dispose: () => store.close() };
});

describe('CachedStore', () => {
  const renderer = makeRenderer(() => 'Asia/Shanghai');
  const status = (json: Buffer | undefined) =>
    (JSON.parse(json!.toString()) as { order_status: number }).order_status;

  async function setup() {
    const path = join(dir, `case-${n++}.db`);
    const clock = new ManualClock(0);
    const inner = new SqliteStore({ path, renderer, clock });
    const cache = new MemoryReplyCache({ maxBytes: 1 << 20 });
    const store = new CachedStore({ store: inner, cache, clock, recheckMs: 50 });
    return { path, clock, inner, cache, store };
  }

  it('serves a repeated read from the cache', async () => {
    const { store, cache } = await setup();
    await store.ingest('yto', [event({ eventId: 'e1' })]);
    await store.getReply('yto', 'YT1234567890123');
    await store.getReply('yto', 'YT1234567890123');
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 1, entries: 1 });
    await store.close();
  });

  it('invalidates on its own writes at once', async () => {
    const { store } = await setup();
    await store.ingest('yto', [event({ eventId: 'e1', status: 2 })]);
    expect(status((await store.getReply('yto', 'YT1234567890123'))!.json)).toBe(2);
    await store.ingest('yto', [event({ eventId: 'e2', status: 3, time: Date.UTC(2026, 6, 5) })]);
    expect(status((await store.getReply('yto', 'YT1234567890123'))!.json)).toBe(3);
    await store.close();
  });

  it('forgets exactly the waybills it is told another connection changed', async () => {
    const { path, clock, store, cache } = await setup();
    const other = new SqliteStore({ path, renderer, clock });
    await store.ingest('yto', [
      event({ eventId: 'a1', status: 2 }),
      event({ eventId: 'b1', waybill: 'YT2', status: 2 }),
    ]);
    await store.getReply('yto', 'YT1234567890123');
    await store.getReply('yto', 'YT2');
    await other.ingest('yto', [event({ eventId: 'a2', status: 3, time: Date.UTC(2026, 6, 5) })]);
    store.forget('yto', ['YT1234567890123']);
    // Within recheckMs: only the forgotten waybill is read again; the other stays cached.
    expect(status((await store.getReply('yto', 'YT1234567890123'))!.json)).toBe(3);
    expect(cache.stats().entries).toBe(2);
    await store.getReply('yto', 'YT2');
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 3 });
    await other.close();
    await store.close();
  });

  it("notices another process's write within recheckMs, not before", async () => {
    const { path, clock, store } = await setup();
    await store.ingest('yto', [event({ eventId: 'e1', status: 2 })]);
    await store.getReply('yto', 'YT1234567890123');
    const other = new SqliteStore({ path, renderer, clock });
    await other.ingest('yto', [event({ eventId: 'e2', status: 3, time: Date.UTC(2026, 6, 5) })]);
    await other.close();
    clock.advance(49);
    expect(status((await store.getReply('yto', 'YT1234567890123'))!.json)).toBe(2);
    clock.advance(1);
    expect(status((await store.getReply('yto', 'YT1234567890123'))!.json)).toBe(3);
    await store.close();
  });

  it('does not cache a read that raced an invalidation', async () => {
    const { store, cache } = await setup();
    await store.ingest('yto', [event({ eventId: 'e1', status: 2 })]);
    const pending = store.getReply('yto', 'YT1234567890123'); // reads now, fills in a microtask
    const write = store.ingest('yto', [event({ eventId: 'e2', status: 3, time: Date.UTC(2026, 6, 5) })]);
    await Promise.all([pending, write]);
    expect(cache.stats().entries).toBe(0);
    expect(status((await store.getReply('yto', 'YT1234567890123'))!.json)).toBe(3);
    await store.close();
  });

  it('does not cache unknown waybills', async () => {
    const { store, cache } = await setup();
    expect(await store.getReply('yto', 'NOPE')).toBeUndefined();
    expect(cache.stats().entries).toBe(0);
    await store.close();
  });

  it('refuses service after close, even for cached replies', async () => {
    const { store } = await setup();
    await store.ingest('yto', [event({ eventId: 'e1' })]);
    await store.getReply('yto', 'YT1234567890123');
    await store.close();
    await expect(store.getReply('yto', 'YT1234567890123')).rejects.toThrow('store is closed');
  });

  it('uses the SQLite data_version as its change counter', async () => {
    const { path, inner } = await setup();
    const before = inner.changeCounter();
    const db = new Database(path);
    db.exec('CREATE TABLE another_writer (x)');
    db.close();
    expect(inner.changeCounter()).not.toBe(before);
    await inner.close();
  });
});
