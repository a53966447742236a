/**
 * @module
 * The contract every store backend passes, role by role (roles.ts): the event log, the waybill
 * reader (what render on read gets: checked through it, reply/render-on-read.ts), the change feed
 * with provable marks, erasure and purge, API keys, owner bindings and health. A backend's own
 * test file calls {@link storeContract} with a factory that returns a fresh, empty store, and can
 * open more store objects on the same database (as other processes or nodes would), for the
 * change feed's cross-store cases.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { parseJsonpBody } from '../protocol/jsonp.js';
import type { ScanEvent } from '../tracking/event.js';
import { replyOf } from '../testing/render-reply.js';
import type { ChangeMark } from './roles.js';
import type { Store, WaybillRef } from './store.js';

export interface StoreHarness {
  readonly store: Store;
  /**
   * Another store object on the same database, as a second process or node would open it;
   * `dispose` closes it too. A harness without one runs those cases against `store` itself.
   */
  another?(): Promise<Store>;
  dispose(): Promise<void>;
}

export interface StoreDeps {
  readonly clock: ManualClock;
  /** Change-log entries the store keeps: small, so the suite can see pruning. */
  readonly changeLogKeep: number;
}

export type StoreFactory = (deps: StoreDeps) => Promise<StoreHarness>;

/** What the suite passes as {@link StoreDeps.changeLogKeep}. */
export const CONTRACT_CHANGE_LOG_KEEP = 16;

const T0 = Date.UTC(2026, 6, 4, 12, 47, 3); // 2026-07-04 20:47:03 +08:00

export const event = (over: Partial<ScanEvent> & { eventId: string }): ScanEvent => ({
  waybill: 'YT1234567890123',
  time: T0,
  status: 2,
  label: '运输中',
  description: '快件离开【河北永清县】已发往【贵阳】',
  location: '河北永清县',
  eta: undefined,
  cells: undefined,
  ...over,
});

const info = (json: string | Buffer) =>
  parseJsonpBody('WxOrderCb(' + json.toString() + ')') as Record<string, unknown>;

export function storeContract(name: string, make: StoreFactory): void {
  describe(`Store contract (roles): ${name}`, () => {
    const withStores = async (fn: (store: Store, other: Store, clock: ManualClock) => Promise<void>) => {
      const clock = new ManualClock(T0 + 3_600_000);
      const h = await make({
        clock,
        changeLogKeep: CONTRACT_CHANGE_LOG_KEEP,
      });
      try {
        await fn(h.store, h.another ? await h.another() : h.store, clock);
      } finally {
        await h.dispose();
      }
    };
    const withStore = (fn: (store: Store, clock: ManualClock) => Promise<void>) =>
      withStores((store, _other, clock) => fn(store, clock));
    const ref = (carrier: string, waybill: string): WaybillRef => ({ carrier, waybill });
    const byName = (a: WaybillRef, b: WaybillRef) =>
      a.carrier.localeCompare(b.carrier) || a.waybill.localeCompare(b.waybill);

    it('stores events and serves the rendered reply', () =>
      withStore(async (store) => {
        const out = await store.append('yto', [
          event({ eventId: 'e1', status: 1, label: '已揽件', description: '已揽收', time: T0 }),
          event({ eventId: 'e2', time: T0 + 60_000, eta: '2026-07-08' }),
        ]);
        expect(out).toEqual(['inserted', 'inserted']);
        const reply = await replyOf(store, 'yto', 'YT1234567890123');
        expect(reply).toBeDefined();
        const body = info(reply!.json);
        expect(body.order_status).toBe(2);
        expect(body.estimated_delivery_time).toBe('2026-07-08');
        expect(body.traces).toEqual([
          { accept_time: '2026-07-04 20:47:03', accept_address: '已揽件\n已揽收', remark: '河北永清县' },
          {
            accept_time: '2026-07-04 20:48:03',
            accept_address: '运输中\n快件离开【河北永清县】已发往【贵阳】',
            remark: '河北永清县',
          },
        ]);
      }));

    it('answers undefined for an unknown waybill', () =>
      withStore(async (store) => {
        expect(await replyOf(store, 'yto', 'NOPE')).toBeUndefined();
        expect(await store.readWaybill('yto', 'NOPE')).toBeUndefined();
      }));

    it('treats the same event_id again as a duplicate, in a later call and within one call', () =>
      withStore(async (store) => {
        await store.append('yto', [event({ eventId: 'e1' })]);
        expect(
          await store.append('yto', [event({ eventId: 'e1' }), event({ eventId: 'e2', time: T0 + 1 })]),
        ).toEqual(['duplicate', 'inserted']);
        expect(await store.append('yto', [event({ eventId: 'e3' }), event({ eventId: 'e3' })])).toEqual([
          'inserted',
          'duplicate',
        ]);
        expect((await store.readWaybill('yto', 'YT1234567890123'))!.events).toHaveLength(3);
      }));

    it('scopes event_id uniqueness and waybills to the carrier', () =>
      withStore(async (store) => {
        expect(await store.append('yto', [event({ eventId: 'e1' })])).toEqual(['inserted']);
        expect(await store.append('sf', [event({ eventId: 'e1', status: 3 })])).toEqual(['inserted']);
        expect(info((await replyOf(store, 'yto', 'YT1234567890123'))!.json).order_status).toBe(2);
        expect(info((await replyOf(store, 'sf', 'YT1234567890123'))!.json).order_status).toBe(3);
        expect(await replyOf(store, 'zto', 'YT1234567890123')).toBeUndefined();
      }));

    it('re-renders when a late event arrives, keeping time order', () =>
      withStore(async (store) => {
        await store.append('yto', [event({ eventId: 'late2', time: T0 + 120_000, description: 'second' })]);
        await store.append('yto', [event({ eventId: 'late1', time: T0, description: 'first' })]);
        const traces = info((await replyOf(store, 'yto', 'YT1234567890123'))!.json).traces as {
          accept_address: string;
        }[];
        expect(traces.map((t) => t.accept_address)).toEqual(['运输中\nfirst', '运输中\nsecond']);
      }));

    it('never lets an event older than the signature move a signed parcel back', () =>
      withStore(async (store) => {
        await store.append('yto', [
          event({ eventId: 'sign', status: 4, label: '已签收', time: T0 + 600_000 }),
        ]);
        await store.append('yto', [event({ eventId: 'late', status: 2, time: T0 })]);
        expect(info((await replyOf(store, 'yto', 'YT1234567890123'))!.json).order_status).toBe(4);
      }));

    it('keeps same-time events in ingest order', () =>
      withStore(async (store) => {
        await store.append('yto', [event({ eventId: 'b', description: 'B' })]);
        await store.append('yto', [event({ eventId: 'a', description: 'A' })]);
        const rec = await store.readWaybill('yto', 'YT1234567890123');
        expect(rec!.events.map((e) => e.description)).toEqual(['B', 'A']);
        expect(rec!.events[0]!.seq).toBeLessThan(rec!.events[1]!.seq);
      }));

    it('returns the full record with every field and the ingest time', () =>
      withStore(async (store, clock) => {
        const cells = [{ key: 'wxpay', value: '已支付', status: 'pages/index/index' }];
        await store.append('yto', [event({ eventId: 'e1', eta: '2026-07-08', cells })]);
        const rec = await store.readWaybill('yto', 'YT1234567890123');
        expect(rec).toMatchObject({ lastEventAt: T0, updatedAt: clock.now() });
        expect(rec!.attributes).toEqual({ eta: undefined, cells: undefined, destination: undefined });
        expect(rec!.events[0]).toMatchObject({
          eventId: 'e1',
          time: T0,
          status: 2,
          location: '河北永清县',
          eta: '2026-07-08',
          cells,
          ingestedAt: clock.now(),
        });
        expect(info((await replyOf(store, 'yto', 'YT1234567890123'))!.json).cells).toEqual(cells);
      }));

    it('stores an event without optional fields as undefined, not null', () =>
      withStore(async (store) => {
        await store.append('yto', [event({ eventId: 'e1', location: undefined })]);
        const e = (await store.readWaybill('yto', 'YT1234567890123'))!.events[0]!;
        expect(e.location).toBeUndefined();
        expect(e.eta).toBeUndefined();
        expect(e.cells).toBeUndefined();
      }));

    it('leaves no trace of a batch that fails part-way', () =>
      withStore(async (store) => {
        const bad = event({ eventId: 'bad', status: 9 as never });
        await expect(store.append('yto', [event({ eventId: 'ok' }), bad])).rejects.toThrow();
        expect(await replyOf(store, 'yto', 'YT1234567890123')).toBeUndefined();
        expect(await store.append('yto', [event({ eventId: 'ok' })])).toEqual(['inserted']);
      }));

    it('rejects a re-sent event_id with other content as a conflict, keeping the first version', () =>
      withStore(async (store) => {
        await store.append('yto', [event({ eventId: 'e1', description: 'first' })]);
        expect(
          await store.append('yto', [
            event({ eventId: 'e1', description: 'rewritten' }),
            event({ eventId: 'e1', description: 'first' }),
          ]),
        ).toEqual(['conflict', 'duplicate']);
        expect(
          await store.append('yto', [event({ eventId: 'e2' }), event({ eventId: 'e2', status: 3 })]),
        ).toEqual(['inserted', 'conflict']);
        const rec = await store.readWaybill('yto', 'YT1234567890123');
        expect(rec!.events.map((e) => [e.eventId, e.description, e.status])).toEqual([
          ['e1', 'first', 2],
          ['e2', '快件离开【河北永清县】已发往【贵阳】', 2],
        ]);
      }));

    it('leaves exactly one row when the same event arrives in concurrent calls', () =>
      withStore(async (store) => {
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, () => store.append('yto', [event({ eventId: 'same' })])),
        );
        expect(outcomes.flat().filter((o) => o === 'inserted')).toHaveLength(1);
        expect(outcomes.flat().filter((o) => o === 'duplicate')).toHaveLength(7);
        expect((await store.readWaybill('yto', 'YT1234567890123'))!.events).toHaveLength(1);
      }));

    it('sets waybill attributes without a scan, and they win over the events', () =>
      withStore(async (store) => {
        const cells = [{ key: 'pay', value: '去支付' }];
        await store.setAttributes('yto', 'NEW1', { eta: '2026-08-01', destination: '贵阳' });
        const rec = (await store.readWaybill('yto', 'NEW1'))!;
        expect(rec.lastEventAt).toBe(0);
        expect(rec.attributes).toEqual({ eta: '2026-08-01', cells: undefined, destination: '贵阳' });
        expect(rec.events).toEqual([]);
        expect(info((await replyOf(store, 'yto', 'NEW1'))!.json)).toMatchObject({
          order_status: 0,
          estimated_delivery_time: '2026-08-01',
          traces: [],
        });
        await store.append('yto', [event({ eventId: 'e1', waybill: 'NEW1', eta: '2026-07-09' })]);
        expect(info((await replyOf(store, 'yto', 'NEW1'))!.json).estimated_delivery_time).toBe('2026-08-01');
        await store.setAttributes('yto', 'NEW1', { cells });
        const after = await store.readWaybill('yto', 'NEW1');
        expect(after!.attributes).toEqual({ eta: '2026-08-01', cells, destination: '贵阳' });
        expect(info((await replyOf(store, 'yto', 'NEW1'))!.json)).toMatchObject({ cells, order_status: 2 });
        await store.setAttributes('yto', 'NEW1', { eta: null, destination: null });
        expect((await store.readWaybill('yto', 'NEW1'))!.attributes).toEqual({
          eta: undefined,
          cells,
          destination: undefined,
        });
        expect(info((await replyOf(store, 'yto', 'NEW1'))!.json).estimated_delivery_time).toBe('2026-07-09');
        expect(await replyOf(store, 'sf', 'NEW1')).toBeUndefined();
      }));

    it('erases a waybill and all its events, and nothing else', () =>
      withStore(async (store) => {
        await store.append('yto', [
          event({ eventId: 'a1', waybill: 'A' }),
          event({ eventId: 'a2', waybill: 'A', time: T0 + 1 }),
          event({ eventId: 'b1', waybill: 'B' }),
        ]);
        await store.append('sf', [event({ eventId: 'a1', waybill: 'A' })]);
        expect(await store.deleteWaybill('yto', 'A')).toEqual({ waybills: 1, events: 2 });
        expect(await replyOf(store, 'yto', 'A')).toBeUndefined();
        expect(await store.readWaybill('yto', 'A')).toBeUndefined();
        expect(await replyOf(store, 'yto', 'B')).toBeDefined();
        expect(await replyOf(store, 'sf', 'A')).toBeDefined();
        expect(await store.deleteWaybill('yto', 'A')).toBeUndefined();
        // The event ids are free again: an erased event re-sent is stored anew.
        expect(await store.append('yto', [event({ eventId: 'a1', waybill: 'A' })])).toEqual(['inserted']);
      }));

    it('purges waybills whose newest event is older than the cutoff', () =>
      withStore(async (store, clock) => {
        const day = 86_400_000;
        await store.append('yto', [
          event({ eventId: 'o1', waybill: 'OLD', time: T0 - 200 * day }),
          event({ eventId: 'o2', waybill: 'OLD', time: T0 - 190 * day }),
          event({ eventId: 'm1', waybill: 'MIXED', time: T0 - 300 * day }),
          event({ eventId: 'm2', waybill: 'MIXED', time: T0 - 10 * day }),
        ]);
        await store.append('sf', [event({ eventId: 's1', waybill: 'SFOLD', time: T0 - 181 * day })]);
        await store.setAttributes('yto', 'NOSCAN', { eta: '2026-08-01' });
        const cutoff = T0 - 180 * day;
        // The dry run counts exactly what the purge then erases, and erases nothing itself.
        expect(await store.countOlderThan(cutoff)).toEqual({ waybills: 2, events: 3 });
        expect(await replyOf(store, 'yto', 'OLD')).toBeDefined();
        expect(await store.purgeOlderThan(cutoff)).toEqual({ waybills: 2, events: 3 });
        expect(await store.countOlderThan(cutoff)).toEqual({ waybills: 0, events: 0 });
        expect(await replyOf(store, 'yto', 'OLD')).toBeUndefined();
        expect(await replyOf(store, 'sf', 'SFOLD')).toBeUndefined();
        expect((await store.readWaybill('yto', 'MIXED'))!.events).toHaveLength(2);
        expect(await replyOf(store, 'yto', 'NOSCAN')).toBeDefined();
        expect(await store.purgeOlderThan(cutoff)).toEqual({ waybills: 0, events: 0 });
        // A waybill without scans ages from its last update.
        expect(await store.purgeOlderThan(clock.now() + 1)).toEqual({ waybills: 2, events: 2 });
      }));

    it('purges one carrier, or every carrier but some, when a scope says so (per-carrier retention)', () =>
      withStore(async (store, clock) => {
        const day = 86_400_000;
        for (const carrier of ['yto', 'sf', 'jt']) {
          await store.append(carrier, [
            event({ eventId: `${carrier}1`, waybill: 'OLD', time: T0 - 200 * day }),
            event({ eventId: `${carrier}2`, waybill: 'NEW', time: T0 - day }),
          ]);
          await store.setAttributes(carrier, 'NOSCAN', { eta: '2026-08-01' });
        }
        const cutoff = T0 - 180 * day;
        expect(await store.purgeOlderThan(cutoff, { carrier: 'sf' })).toEqual({ waybills: 1, events: 1 });
        expect(await replyOf(store, 'sf', 'OLD')).toBeUndefined();
        expect(await replyOf(store, 'yto', 'OLD')).toBeDefined();
        expect(await replyOf(store, 'jt', 'OLD')).toBeDefined();
        expect(await store.purgeOlderThan(cutoff, { except: ['yto'] })).toEqual({ waybills: 1, events: 1 });
        expect(await replyOf(store, 'jt', 'OLD')).toBeUndefined();
        expect(await replyOf(store, 'yto', 'OLD')).toBeDefined();
        // Waybills without scans (aged from their last update) follow the same scope.
        const later = clock.now() + 1;
        expect(await store.purgeOlderThan(later, { carrier: 'jt' })).toEqual({ waybills: 2, events: 1 });
        expect(await replyOf(store, 'sf', 'NOSCAN')).toBeDefined();
        expect(await replyOf(store, 'yto', 'NOSCAN')).toBeDefined();
        expect(await store.purgeOlderThan(later, { except: ['sf'] })).toEqual({ waybills: 3, events: 2 });
        expect(await replyOf(store, 'sf', 'NOSCAN')).toBeDefined();
        expect(await replyOf(store, 'yto', 'NOSCAN')).toBeUndefined();
      }));
    it('keeps API keys by hash, finds them by id, lists and revokes them by name', () =>
      withStore(async (store) => {
        const key = {
          id: 'k1',
          name: 'sorter',
          carrier: 'yto',
          hash: 'h1',
          createdAt: 1,
          revokedAt: undefined,
        };
        expect(await store.addApiKey(key)).toBe('created');
        expect(await store.addApiKey({ ...key, id: 'k2' })).toBe('name-taken');
        expect(await store.findApiKey('k1')).toEqual(key);
        expect(await store.findApiKey('nope')).toBeUndefined();
        expect(await store.revokeApiKey('sorter', 5)).toBe(true);
        expect(await store.revokeApiKey('sorter', 6)).toBe(false);
        expect((await store.findApiKey('k1'))!.revokedAt).toBe(5);
        // The name is free again once revoked.
        expect(await store.addApiKey({ ...key, id: 'k2', createdAt: 2 })).toBe('created');
        expect((await store.listApiKeys()).map((k) => [k.id, k.revokedAt])).toEqual([
          ['k1', 5],
          ['k2', undefined],
        ]);
      }));

    it("lists a carrier's waybill numbers in pages, in ascending order, and no other carrier's", () =>
      withStore(async (store) => {
        const numbers = ['YT0000000000003', 'YT0000000000001', 'YT0000000000002', 'YT0000000000004'];
        await store.append(
          'yto',
          numbers.map((waybill, i) => event({ eventId: `e${i}`, waybill })),
        );
        await store.append('sf', [event({ eventId: 's1', waybill: 'SF0000000000001' })]);
        expect(await store.listWaybills('yto', { limit: 3 })).toEqual([
          'YT0000000000001',
          'YT0000000000002',
          'YT0000000000003',
        ]);
        expect(await store.listWaybills('yto', { after: 'YT0000000000003', limit: 3 })).toEqual([
          'YT0000000000004',
        ]);
        expect(await store.listWaybills('yto', { after: 'YT0000000000004', limit: 3 })).toEqual([]);
        expect(await store.listWaybills('sf', { limit: 10 })).toEqual(['SF0000000000001']);
        expect(await store.listWaybills('zto', { limit: 10 })).toEqual([]);
      }));

    it('lists a waybill once, however many events it has', () =>
      withStore(async (store) => {
        await store.append('yto', [event({ eventId: 'a' }), event({ eventId: 'b', time: T0 + 1 })]);
        expect(await store.listWaybills('yto', { limit: 10 })).toEqual(['YT1234567890123']);
      }));

    it('starts with an empty change feed, at a mark it proves', () =>
      withStore(async (store) => {
        const start = await store.lastChange();
        expect(start).toMatchObject({ seq: 0, tag: '' });
        expect(start.store).toMatch(/^\S{8,}$/);
        expect(await store.changesSince(start, 10)).toEqual({ changes: [], next: start, gap: false });
      }));

    it('keeps one store identity for every store object on the database', () =>
      withStores(async (writer, reader) => {
        expect((await writer.lastChange()).store).toBe((await reader.lastChange()).store);
      }));

    it("logs every write's touched waybills, and another store object on the database reads them", () =>
      withStores(async (writer, reader) => {
        let at = await reader.lastChange();
        // The entries one write appended, as the reader sees them; within a write, in any order.
        const after = async (write: () => Promise<unknown>): Promise<WaybillRef[]> => {
          await write();
          const page = await reader.changesSince(at, 100);
          expect(page.gap).toBe(false);
          expect(page.next).toEqual(await writer.lastChange());
          at = page.next;
          return [...page.changes].sort(byName);
        };
        expect(
          await after(() =>
            writer.append('yto', [
              event({ eventId: 'a1', waybill: 'A' }),
              event({ eventId: 'b1', waybill: 'B' }),
              event({ eventId: 'a2', waybill: 'A', time: T0 + 1 }),
            ]),
          ),
        ).toEqual([ref('yto', 'A'), ref('yto', 'B')]);
        // Only the waybill that got a new event: B's event is a duplicate.
        expect(
          await after(() =>
            writer.append('yto', [
              event({ eventId: 'b1', waybill: 'B' }),
              event({ eventId: 'c1', waybill: 'C' }),
            ]),
          ),
        ).toEqual([ref('yto', 'C')]);
        expect(await after(() => writer.append('sf', [event({ eventId: 'a1', waybill: 'A' })]))).toEqual([
          ref('sf', 'A'),
        ]);
        expect(await after(() => writer.setAttributes('yto', 'D', { eta: '2026-08-01' }))).toEqual([
          ref('yto', 'D'),
        ]);
        expect(await after(() => writer.deleteWaybill('yto', 'A'))).toEqual([ref('yto', 'A')]);
        // Writes that change nothing log nothing.
        expect(await after(() => writer.append('yto', [event({ eventId: 'c1', waybill: 'C' })]))).toEqual([]);
        expect(await after(() => writer.deleteWaybill('yto', 'NOPE'))).toEqual([]);
        expect(await after(() => writer.purgeOlderThan(T0 - 1))).toEqual([]);
        // A binding changes which reply the waybill's readers get (privacy tiers): it is logged.
        expect(await after(() => writer.bindOwner('yto', 'B', 'h1', 1))).toEqual([ref('yto', 'B')]);
        const bad = event({ eventId: 'bad', waybill: 'E', status: 9 as never });
        expect(
          await after(() =>
            expect(writer.append('yto', [event({ eventId: 'e1', waybill: 'E' }), bad])).rejects.toThrow(),
          ),
        ).toEqual([]);
        // Purge logs each waybill it erased, across carriers.
        expect(await after(() => writer.purgeOlderThan(T0 + 1))).toEqual([
          ref('sf', 'A'),
          ref('yto', 'B'),
          ref('yto', 'C'),
        ]);
        // The log is shared: the reader's own writes show to the writer too.
        const before = await writer.lastChange();
        await reader.setAttributes('zto', 'Z', { destination: '贵阳' });
        expect((await writer.changesSince(before, 10)).changes).toEqual([ref('zto', 'Z')]);
      }));

    it('pages through the feed in commit order, oldest first', () =>
      withStores(async (writer, reader) => {
        const start = await reader.lastChange();
        for (const w of ['P1', 'P2', 'P3', 'P4', 'P5'])
          await writer.setAttributes('yto', w, { destination: w });
        await writer.setAttributes('yto', 'P2', { destination: 'again' });
        const first = await reader.changesSince(start, 4);
        expect(first.changes.map((c) => c.waybill)).toEqual(['P1', 'P2', 'P3', 'P4']);
        expect(first.gap).toBe(false);
        const second = await reader.changesSince(first.next, 4);
        expect(second.changes.map((c) => c.waybill)).toEqual(['P5', 'P2']);
        expect(second.next).toEqual(await reader.lastChange());
        expect(second.next.seq).toBeGreaterThan(first.next.seq);
        expect(second.next.tag).not.toBe(first.next.tag);
        expect(await reader.changesSince(second.next, 4)).toEqual({
          changes: [],
          next: second.next,
          gap: false,
        });
      }));

    it('answers a gap for a mark it cannot prove: another store, another tag, past the end', () =>
      withStores(async (writer, reader) => {
        await writer.setAttributes('yto', 'A', { destination: 'a' });
        const mark = await reader.lastChange();
        await writer.setAttributes('yto', 'B', { destination: 'b' });
        const newest = await reader.lastChange();
        expect((await reader.changesSince(mark, 10)).changes).toEqual([ref('yto', 'B')]);
        const gap = { changes: [], next: newest, gap: true };
        // Another database's mark: same seq and tag, another store id.
        expect(await reader.changesSince({ ...mark, store: mark.store + 'x' }, 10)).toEqual(gap);
        // The entry at that seq is not the one the reader saw (a restore drew the seq again).
        expect(await reader.changesSince({ ...mark, tag: mark.tag + 'x' }, 10)).toEqual(gap);
        expect(await reader.changesSince({ ...mark, seq: 0, tag: '' }, 10)).toEqual({
          changes: [ref('yto', 'A'), ref('yto', 'B')],
          next: newest,
          gap: false,
        });
        // A position past the end of the log.
        expect(await reader.changesSince({ ...newest, seq: newest.seq + 1000 }, 10)).toEqual(gap);
      }));

    it('prunes the feed to a bound, and tells a reader left behind that it missed changes', () =>
      withStores(async (writer, reader) => {
        const start = await reader.lastChange();
        const n = CONTRACT_CHANGE_LOG_KEEP * 3;
        const events = Array.from({ length: n }, (_, i) =>
          event({ eventId: `g${i}`, waybill: `G${String(i).padStart(3, '0')}` }),
        );
        await writer.append('yto', events.slice(0, n - CONTRACT_CHANGE_LOG_KEEP));
        const kept: ChangeMark = await reader.lastChange();
        await writer.append('yto', events.slice(n - CONTRACT_CHANGE_LOG_KEEP));
        const newest = await reader.lastChange();
        expect(await reader.changesSince(start, 10)).toEqual({ changes: [], next: newest, gap: true });
        // The newest `keep` entries are still there; a mark at the pruned point is still proven.
        const recent = await reader.changesSince(kept, 100);
        expect(recent.gap).toBe(false);
        expect(recent.changes.map((c) => c.waybill)).toEqual(
          Array.from(
            { length: CONTRACT_CHANGE_LOG_KEEP },
            (_, i) => `G${String(n - CONTRACT_CHANGE_LOG_KEEP + i).padStart(3, '0')}`,
          ),
        );
        // Many small writes keep it bounded too.
        for (let i = 0; i < n; i++) await writer.setAttributes('yto', `H${i}`, { destination: 'x' });
        const later = await reader.lastChange();
        expect((await reader.changesSince(newest, 1)).gap).toBe(true);
        let at = later;
        expect(await reader.changesSince(at, 10)).toEqual({ changes: [], next: later, gap: false });
        at = { ...later, seq: later.seq + 1000 };
        expect(await reader.changesSince(at, 10)).toEqual({ changes: [], next: later, gap: true });
      }));

    it('refuses bad change-feed arguments', () =>
      withStore(async (store) => {
        const start = await store.lastChange();
        await expect(store.changesSince({ ...start, seq: -1 }, 10)).rejects.toThrow(RangeError);
        await expect(store.changesSince({ ...start, seq: 0.5 }, 10)).rejects.toThrow(RangeError);
        await expect(store.changesSince(start, 0)).rejects.toThrow(RangeError);
      }));

    it('reads a waybill in one state: events in rendering order, attributes, times', () =>
      withStore(async (store, clock) => {
        await store.append('yto', [
          event({ eventId: 'late', time: T0 + 2, description: 'late' }),
          event({ eventId: 'tie1', time: T0 + 1, description: 'tie1' }),
        ]);
        clock.advance(1000);
        await store.append('yto', [
          event({ eventId: 'early', time: T0, description: 'early' }),
          event({ eventId: 'tie2', time: T0 + 1, description: 'tie2' }),
        ]);
        clock.advance(1000);
        await store.setAttributes('yto', 'YT1234567890123', { destination: '贵阳' });
        const state = (await store.readWaybill('yto', 'YT1234567890123'))!;
        expect(state.events.map((e) => e.description)).toEqual(['early', 'tie1', 'tie2', 'late']);
        expect(state.lastEventAt).toBe(T0 + 2);
        expect(state.updatedAt).toBe(clock.now());
        expect(state.attributes.destination).toBe('贵阳');
      }));

    it('counts waybills per carrier, with or without scans', () =>
      withStore(async (store) => {
        expect(await store.countByCarrier()).toEqual(new Map());
        await store.append('yto', [
          event({ eventId: 'a', waybill: 'A' }),
          event({ eventId: 'b', waybill: 'A', time: T0 + 1 }),
          event({ eventId: 'c', waybill: 'B' }),
        ]);
        await store.append('sf', [event({ eventId: 'a', waybill: 'A' })]);
        await store.setAttributes('yto', 'A', { destination: 'x' });
        await store.setAttributes('zto', 'Z', { destination: 'x' });
        expect(await store.countByCarrier()).toEqual(
          new Map([
            ['sf', 1],
            ['yto', 2],
            ['zto', 1],
          ]),
        );
      }));

    it("binds a waybill's owners by hash, and erases them with the waybill", () =>
      withStore(async (store) => {
        await store.append('yto', [event({ eventId: 'a', waybill: 'A' })]);
        await store.bindOwner('yto', 'A', 'h1', 1);
        await store.bindOwner('yto', 'A', 'h1', 2);
        await store.bindOwner('yto', 'A', 'h2', 2);
        expect(await store.isOwner('yto', 'A', 'h1')).toBe(true);
        expect(await store.isOwner('sf', 'A', 'h1')).toBe(false);
        expect(await store.isOwner('yto', 'A', 'h3')).toBe(false);
        expect(await store.unbindOwner('yto', 'A', 'h2')).toBe(true);
        expect(await store.unbindOwner('yto', 'A', 'h2')).toBe(false);
        expect(await store.isOwner('yto', 'A', 'h2')).toBe(false);
        await store.deleteWaybill('yto', 'A');
        expect(await store.isOwner('yto', 'A', 'h1')).toBe(false);
        // Purge erases them too, and a re-created waybill starts with no owner.
        await store.append('yto', [event({ eventId: 'o', waybill: 'OLD', time: T0 - 1000 })]);
        await store.bindOwner('yto', 'OLD', 'h1', 1);
        await store.purgeOlderThan(T0);
        await store.append('yto', [event({ eventId: 'o', waybill: 'OLD', time: T0 - 1000 })]);
        expect(await store.isOwner('yto', 'OLD', 'h1')).toBe(false);
      }));

    it('pings while open, and refuses service after close', () =>
      withStore(async (store) => {
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await expect(store.ping()).rejects.toThrow();
        await expect(store.readWaybill('yto', 'YT1')).rejects.toThrow();
        await expect(store.lastChange()).rejects.toThrow();
        await expect(store.append('yto', [event({ eventId: 'x' })])).rejects.toThrow();
      }));
  });
}
