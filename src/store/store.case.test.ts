/**
 * @module
 * The contract every Store backend passes. A backend's own test file calls {@link storeContract}
 * with a factory that returns a fresh, empty store, and can open more store objects on the same
 * database (as other processes or nodes would), for the change log's cross-store cases.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { parseJsonpBody } from '../protocol/jsonp.js';
import type { ScanEvent } from '../tracking/event.js';
import { makeRenderer, type Renderer } from './renderer.js';
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
  readonly renderer: Renderer;
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
  describe(`Store contract: ${name}`, () => {
    const withStores = async (fn: (store: Store, other: Store, clock: ManualClock) => Promise<void>) => {
      const clock = new ManualClock(T0 + 3_600_000);
      const h = await make({
        renderer: makeRenderer(() => 'Asia/Shanghai'),
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
        const out = await store.ingest('yto', [
          event({ eventId: 'e1', status: 1, label: '已揽件', description: '已揽收', time: T0 }),
          event({ eventId: 'e2', time: T0 + 60_000, eta: '2026-07-08' }),
        ]);
        expect(out).toEqual(['inserted', 'inserted']);
        const reply = await store.getReply('yto', 'YT1234567890123');
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
        expect(await store.getReply('yto', 'NOPE')).toBeUndefined();
        expect(await store.getWaybill('yto', 'NOPE')).toBeUndefined();
      }));

    it('treats the same event_id again as a duplicate, in a later call and within one call', () =>
      withStore(async (store) => {
        await store.ingest('yto', [event({ eventId: 'e1' })]);
        expect(
          await store.ingest('yto', [event({ eventId: 'e1' }), event({ eventId: 'e2', time: T0 + 1 })]),
        ).toEqual(['duplicate', 'inserted']);
        expect(await store.ingest('yto', [event({ eventId: 'e3' }), event({ eventId: 'e3' })])).toEqual([
          'inserted',
          'duplicate',
        ]);
        expect((await store.getWaybill('yto', 'YT1234567890123'))!.events).toHaveLength(3);
      }));

    it('scopes event_id uniqueness and waybills to the carrier', () =>
      withStore(async (store) => {
        expect(await store.ingest('yto', [event({ eventId: 'e1' })])).toEqual(['inserted']);
        expect(await store.ingest('sf', [event({ eventId: 'e1', status: 3 })])).toEqual(['inserted']);
        expect(info((await store.getReply('yto', 'YT1234567890123'))!.json).order_status).toBe(2);
        expect(info((await store.getReply('sf', 'YT1234567890123'))!.json).order_status).toBe(3);
        expect(await store.getReply('zto', 'YT1234567890123')).toBeUndefined();
      }));

    it('re-renders when a late event arrives, keeping time order', () =>
      withStore(async (store) => {
        await store.ingest('yto', [event({ eventId: 'late2', time: T0 + 120_000, description: 'second' })]);
        await store.ingest('yto', [event({ eventId: 'late1', time: T0, description: 'first' })]);
        const traces = info((await store.getReply('yto', 'YT1234567890123'))!.json).traces as {
          accept_address: string;
        }[];
        expect(traces.map((t) => t.accept_address)).toEqual(['运输中\nfirst', '运输中\nsecond']);
      }));

    it('never lets an event older than the signature move a signed parcel back', () =>
      withStore(async (store) => {
        await store.ingest('yto', [
          event({ eventId: 'sign', status: 4, label: '已签收', time: T0 + 600_000 }),
        ]);
        await store.ingest('yto', [event({ eventId: 'late', status: 2, time: T0 })]);
        expect(info((await store.getReply('yto', 'YT1234567890123'))!.json).order_status).toBe(4);
      }));

    it('keeps same-time events in ingest order', () =>
      withStore(async (store) => {
        await store.ingest('yto', [event({ eventId: 'b', description: 'B' })]);
        await store.ingest('yto', [event({ eventId: 'a', description: 'A' })]);
        const rec = await store.getWaybill('yto', 'YT1234567890123');
        expect(rec!.events.map((e) => e.description)).toEqual(['B', 'A']);
        expect(rec!.events[0]!.seq).toBeLessThan(rec!.events[1]!.seq);
      }));

    it('returns the full record with every field and the ingest time', () =>
      withStore(async (store, clock) => {
        const cells = [{ key: 'wxpay', value: '已支付', status: 'pages/index/index' }];
        await store.ingest('yto', [event({ eventId: 'e1', eta: '2026-07-08', cells })]);
        const rec = await store.getWaybill('yto', 'YT1234567890123');
        expect(rec).toMatchObject({
          carrier: 'yto',
          waybill: 'YT1234567890123',
          lastEventAt: T0,
          updatedAt: clock.now(),
        });
        expect(rec!.events[0]).toMatchObject({
          eventId: 'e1',
          time: T0,
          status: 2,
          location: '河北永清县',
          eta: '2026-07-08',
          cells,
          ingestedAt: clock.now(),
        });
        expect(info(rec!.replyJson).cells).toEqual(cells);
      }));

    it('stores an event without optional fields as undefined, not null', () =>
      withStore(async (store) => {
        await store.ingest('yto', [event({ eventId: 'e1', location: undefined })]);
        const e = (await store.getWaybill('yto', 'YT1234567890123'))!.events[0]!;
        expect(e.location).toBeUndefined();
        expect(e.eta).toBeUndefined();
        expect(e.cells).toBeUndefined();
      }));

    it('leaves no trace of a batch that fails part-way', () =>
      withStore(async (store) => {
        const bad = event({ eventId: 'bad', status: 9 as never });
        await expect(store.ingest('yto', [event({ eventId: 'ok' }), bad])).rejects.toThrow();
        expect(await store.getReply('yto', 'YT1234567890123')).toBeUndefined();
        expect(await store.ingest('yto', [event({ eventId: 'ok' })])).toEqual(['inserted']);
      }));

    it('rejects a re-sent event_id with other content as a conflict, keeping the first version', () =>
      withStore(async (store) => {
        await store.ingest('yto', [event({ eventId: 'e1', description: 'first' })]);
        expect(
          await store.ingest('yto', [
            event({ eventId: 'e1', description: 'rewritten' }),
            event({ eventId: 'e1', description: 'first' }),
          ]),
        ).toEqual(['conflict', 'duplicate']);
        expect(
          await store.ingest('yto', [event({ eventId: 'e2' }), event({ eventId: 'e2', status: 3 })]),
        ).toEqual(['inserted', 'conflict']);
        const rec = await store.getWaybill('yto', 'YT1234567890123');
        expect(rec!.events.map((e) => [e.eventId, e.description, e.status])).toEqual([
          ['e1', 'first', 2],
          ['e2', '快件离开【河北永清县】已发往【贵阳】', 2],
        ]);
      }));

    it('leaves exactly one row when the same event arrives in concurrent calls', () =>
      withStore(async (store) => {
        const outcomes = await Promise.all(
          Array.from({ length: 8 }, () => store.ingest('yto', [event({ eventId: 'same' })])),
        );
        expect(outcomes.flat().filter((o) => o === 'inserted')).toHaveLength(1);
        expect(outcomes.flat().filter((o) => o === 'duplicate')).toHaveLength(7);
        expect((await store.getWaybill('yto', 'YT1234567890123'))!.events).toHaveLength(1);
      }));

    it('sets waybill attributes without a scan, and they win over the events', () =>
      withStore(async (store) => {
        const cells = [{ key: 'pay', value: '去支付' }];
        const rec = await store.setWaybillAttributes('yto', 'NEW1', {
          eta: '2026-08-01',
          destination: '贵阳',
        });
        expect(rec.attributes).toEqual({ eta: '2026-08-01', cells: undefined, destination: '贵阳' });
        expect(rec.events).toEqual([]);
        expect(info((await store.getReply('yto', 'NEW1'))!.json)).toMatchObject({
          order_status: 0,
          estimated_delivery_time: '2026-08-01',
          traces: [],
        });
        await store.ingest('yto', [event({ eventId: 'e1', waybill: 'NEW1', eta: '2026-07-09' })]);
        expect(info((await store.getReply('yto', 'NEW1'))!.json).estimated_delivery_time).toBe('2026-08-01');
        await store.setWaybillAttributes('yto', 'NEW1', { cells });
        const after = await store.getWaybill('yto', 'NEW1');
        expect(after!.attributes).toEqual({ eta: '2026-08-01', cells, destination: '贵阳' });
        expect(info(after!.replyJson)).toMatchObject({ cells, order_status: 2 });
        await store.setWaybillAttributes('yto', 'NEW1', { eta: null, destination: null });
        expect((await store.getWaybill('yto', 'NEW1'))!.attributes).toEqual({
          eta: undefined,
          cells,
          destination: undefined,
        });
        expect(info((await store.getReply('yto', 'NEW1'))!.json).estimated_delivery_time).toBe('2026-07-09');
        expect(await store.getReply('sf', 'NEW1')).toBeUndefined();
      }));

    it('erases a waybill and all its events, and nothing else', () =>
      withStore(async (store) => {
        await store.ingest('yto', [
          event({ eventId: 'a1', waybill: 'A' }),
          event({ eventId: 'a2', waybill: 'A', time: T0 + 1 }),
          event({ eventId: 'b1', waybill: 'B' }),
        ]);
        await store.ingest('sf', [event({ eventId: 'a1', waybill: 'A' })]);
        expect(await store.deleteWaybill('yto', 'A')).toEqual({ waybills: 1, events: 2 });
        expect(await store.getReply('yto', 'A')).toBeUndefined();
        expect(await store.getWaybill('yto', 'A')).toBeUndefined();
        expect(await store.getReply('yto', 'B')).toBeDefined();
        expect(await store.getReply('sf', 'A')).toBeDefined();
        expect(await store.deleteWaybill('yto', 'A')).toBeUndefined();
        // The event ids are free again: an erased event re-sent is stored anew.
        expect(await store.ingest('yto', [event({ eventId: 'a1', waybill: 'A' })])).toEqual(['inserted']);
      }));

    it('purges waybills whose newest event is older than the cutoff', () =>
      withStore(async (store, clock) => {
        const day = 86_400_000;
        await store.ingest('yto', [
          event({ eventId: 'o1', waybill: 'OLD', time: T0 - 200 * day }),
          event({ eventId: 'o2', waybill: 'OLD', time: T0 - 190 * day }),
          event({ eventId: 'm1', waybill: 'MIXED', time: T0 - 300 * day }),
          event({ eventId: 'm2', waybill: 'MIXED', time: T0 - 10 * day }),
        ]);
        await store.ingest('sf', [event({ eventId: 's1', waybill: 'SFOLD', time: T0 - 181 * day })]);
        await store.setWaybillAttributes('yto', 'NOSCAN', { eta: '2026-08-01' });
        const cutoff = T0 - 180 * day;
        expect(await store.purgeOlderThan(cutoff)).toEqual({ waybills: 2, events: 3 });
        expect(await store.getReply('yto', 'OLD')).toBeUndefined();
        expect(await store.getReply('sf', 'SFOLD')).toBeUndefined();
        expect((await store.getWaybill('yto', 'MIXED'))!.events).toHaveLength(2);
        expect(await store.getReply('yto', 'NOSCAN')).toBeDefined();
        expect(await store.purgeOlderThan(cutoff)).toEqual({ waybills: 0, events: 0 });
        // A waybill without scans ages from its last update.
        expect(await store.purgeOlderThan(clock.now() + 1)).toEqual({ waybills: 2, events: 2 });
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
        await store.ingest(
          'yto',
          numbers.map((waybill, i) => event({ eventId: `e${i}`, waybill })),
        );
        await store.ingest('sf', [event({ eventId: 's1', waybill: 'SF0000000000001' })]);
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
        await store.ingest('yto', [event({ eventId: 'a' }), event({ eventId: 'b', time: T0 + 1 })]);
        expect(await store.listWaybills('yto', { limit: 10 })).toEqual(['YT1234567890123']);
      }));

    it('starts with an empty change log', () =>
      withStore(async (store) => {
        expect(await store.lastChange()).toBe(0);
        expect(await store.changesSince(0, 10)).toEqual({ changes: [], next: 0, gap: false });
      }));

    it("logs every write's touched waybills, and another store object on the database reads them", () =>
      withStores(async (writer, reader) => {
        let at = await reader.lastChange();
        // The entries one write appended, as the reader sees them; within a write, in any order.
        const after = async (write: () => Promise<unknown>): Promise<WaybillRef[]> => {
          await write();
          const page = await reader.changesSince(at, 100);
          expect(page.gap).toBe(false);
          expect(page.next).toBe(await writer.lastChange());
          at = page.next;
          return [...page.changes].sort(byName);
        };
        expect(
          await after(() =>
            writer.ingest('yto', [
              event({ eventId: 'a1', waybill: 'A' }),
              event({ eventId: 'b1', waybill: 'B' }),
              event({ eventId: 'a2', waybill: 'A', time: T0 + 1 }),
            ]),
          ),
        ).toEqual([ref('yto', 'A'), ref('yto', 'B')]);
        // Only the waybill that got a new event: B's event is a duplicate.
        expect(
          await after(() =>
            writer.ingest('yto', [
              event({ eventId: 'b1', waybill: 'B' }),
              event({ eventId: 'c1', waybill: 'C' }),
            ]),
          ),
        ).toEqual([ref('yto', 'C')]);
        expect(await after(() => writer.ingest('sf', [event({ eventId: 'a1', waybill: 'A' })]))).toEqual([
          ref('sf', 'A'),
        ]);
        expect(await after(() => writer.setWaybillAttributes('yto', 'D', { eta: '2026-08-01' }))).toEqual([
          ref('yto', 'D'),
        ]);
        expect(await after(() => writer.deleteWaybill('yto', 'A'))).toEqual([ref('yto', 'A')]);
        // Writes that change nothing log nothing.
        expect(await after(() => writer.ingest('yto', [event({ eventId: 'c1', waybill: 'C' })]))).toEqual([]);
        expect(await after(() => writer.deleteWaybill('yto', 'NOPE'))).toEqual([]);
        expect(await after(() => writer.purgeOlderThan(T0 - 1))).toEqual([]);
        const bad = event({ eventId: 'bad', waybill: 'E', status: 9 as never });
        expect(
          await after(() =>
            expect(writer.ingest('yto', [event({ eventId: 'e1', waybill: 'E' }), bad])).rejects.toThrow(),
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
        await reader.setWaybillAttributes('zto', 'Z', { destination: '贵阳' });
        expect((await writer.changesSince(before, 10)).changes).toEqual([ref('zto', 'Z')]);
      }));

    it('pages through the log in commit order, oldest first', () =>
      withStores(async (writer, reader) => {
        for (const w of ['P1', 'P2', 'P3', 'P4', 'P5'])
          await writer.setWaybillAttributes('yto', w, { destination: w });
        await writer.setWaybillAttributes('yto', 'P2', { destination: 'again' });
        const first = await reader.changesSince(0, 4);
        expect(first.changes.map((c) => c.waybill)).toEqual(['P1', 'P2', 'P3', 'P4']);
        expect(first.gap).toBe(false);
        const second = await reader.changesSince(first.next, 4);
        expect(second.changes.map((c) => c.waybill)).toEqual(['P5', 'P2']);
        expect(second.next).toBe(await reader.lastChange());
        expect(second.next).toBeGreaterThan(first.next);
        expect(await reader.changesSince(second.next, 4)).toEqual({
          changes: [],
          next: second.next,
          gap: false,
        });
      }));

    it('prunes the log to a bound, and tells a reader left behind that it missed changes', () =>
      withStores(async (writer, reader) => {
        const n = CONTRACT_CHANGE_LOG_KEEP * 3;
        await writer.ingest(
          'yto',
          Array.from({ length: n }, (_, i) =>
            event({ eventId: `g${i}`, waybill: `G${String(i).padStart(3, '0')}` }),
          ),
        );
        const newest = await reader.lastChange();
        expect(await reader.changesSince(0, 10)).toEqual({ changes: [], next: newest, gap: true });
        // The newest `keep` entries are still there.
        const recent = await reader.changesSince(newest - CONTRACT_CHANGE_LOG_KEEP, 100);
        expect(recent.gap).toBe(false);
        expect(recent.changes.map((c) => c.waybill)).toEqual(
          Array.from(
            { length: CONTRACT_CHANGE_LOG_KEEP },
            (_, i) => `G${String(n - CONTRACT_CHANGE_LOG_KEEP + i).padStart(3, '0')}`,
          ),
        );
        // Many small writes keep it bounded too.
        for (let i = 0; i < n; i++) await writer.setWaybillAttributes('yto', `H${i}`, { destination: 'x' });
        const later = await reader.lastChange();
        expect((await reader.changesSince(newest, 1)).gap).toBe(true);
        expect((await reader.changesSince(later - CONTRACT_CHANGE_LOG_KEEP, 100)).changes).toHaveLength(
          CONTRACT_CHANGE_LOG_KEEP,
        );
        // A position ahead of the log (from another database) is a gap as well.
        expect(await reader.changesSince(later + 1000, 10)).toEqual({ changes: [], next: later, gap: true });
      }));

    it('refuses bad change-log arguments', () =>
      withStore(async (store) => {
        await expect(store.changesSince(-1, 10)).rejects.toThrow(RangeError);
        await expect(store.changesSince(0.5, 10)).rejects.toThrow(RangeError);
        await expect(store.changesSince(0, 0)).rejects.toThrow(RangeError);
      }));

    it('pings while open, and refuses service after close', () =>
      withStore(async (store) => {
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await expect(store.ping()).rejects.toThrow();
        await expect(store.getReply('yto', 'YT1')).rejects.toThrow();
        await expect(store.ingest('yto', [event({ eventId: 'x' })])).rejects.toThrow();
      }));
  });
}
