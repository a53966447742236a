/**
 * @module
 * The contract of {@link OwnerBindings} (privacy tiers), which every store backend passes: a
 * backend's test file calls {@link ownerBindingsContract} with a factory of fresh, empty backends.
 * Bindings are per carrier and waybill, hold only hashes, and live exactly as long as their
 * waybill: erased by `deleteWaybill`, expired by `purgeOlderThan` with it.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import type { ScanEvent } from '../tracking/event.js';
import type { ChangeFeed, Eraser, EventLog, OwnerBindings, WaybillReader } from './roles.js';

export type OwnerBackend = EventLog & Eraser & OwnerBindings & WaybillReader & ChangeFeed;

export interface OwnerHarness {
  readonly backend: OwnerBackend;
  dispose(): Promise<void>;
}

export type OwnerFactory = (clock: ManualClock) => Promise<OwnerHarness>;

const T0 = Date.UTC(2026, 6, 4, 12, 47, 3);
const DAY = 86_400_000;
const W = 'YT1234567890123';
const OTHER = 'YT9999999999999';
const ALICE = 'a'.repeat(32);
const BOB = 'b'.repeat(32);

const scan = (waybill: string, eventId: string, time = T0): ScanEvent => ({
  waybill,
  eventId,
  time,
  status: 2,
  label: '运输中',
  description: '快件离开【河北永清县】已发往【贵阳】',
  location: undefined,
  eta: undefined,
  cells: undefined,
});

export function ownerBindingsContract(name: string, make: OwnerFactory): void {
  describe(`OwnerBindings contract: ${name}`, () => {
    const withBackend = async (fn: (b: OwnerBackend, clock: ManualClock) => Promise<void>) => {
      const clock = new ManualClock(T0 + 3_600_000);
      const h = await make(clock);
      try {
        await fn(h.backend, clock);
      } finally {
        await h.dispose();
      }
    };

    it('binds an owner to one waybill of one carrier only', () =>
      withBackend(async (b, clock) => {
        await b.append('YTO', [scan(W, 'e1'), scan(OTHER, 'e2')]);
        await b.append('ZTO', [scan(W, 'e1')]);
        expect(await b.isOwner('YTO', W, ALICE)).toBe(false);
        await b.bindOwner('YTO', W, ALICE, clock.now());
        expect(await b.isOwner('YTO', W, ALICE)).toBe(true);
        expect(await b.isOwner('YTO', W, BOB)).toBe(false);
        expect(await b.isOwner('YTO', OTHER, ALICE)).toBe(false);
        expect(await b.isOwner('ZTO', W, ALICE)).toBe(false);
      }));

    it("lists a waybill's owners in order, for the reply view", () =>
      withBackend(async (b, clock) => {
        await b.append('YTO', [scan(W, 'e1')]);
        expect(await b.ownersOf('YTO', W)).toEqual([]);
        await b.bindOwner('YTO', W, BOB, clock.now());
        await b.bindOwner('YTO', W, ALICE, clock.now());
        await b.bindOwner('ZTO', W, 'c'.repeat(32), clock.now());
        expect(await b.ownersOf('YTO', W)).toEqual([ALICE, BOB]);
        await b.unbindOwner('YTO', W, BOB);
        expect(await b.ownersOf('YTO', W)).toEqual([ALICE]);
      }));

    it('tells the change feed of every binding and unbinding, so reply views drop the waybill', () =>
      withBackend(async (b, clock) => {
        await b.append('YTO', [scan(W, 'e1')]);
        const before = await b.lastChange();
        await b.bindOwner('YTO', W, ALICE, clock.now());
        const bound = await b.changesSince(before, 10);
        expect(bound.gap).toBe(false);
        expect(bound.changes).toEqual([{ carrier: 'YTO', waybill: W }]);
        expect(await b.unbindOwner('YTO', W, ALICE)).toBe(true);
        const unbound = await b.changesSince(bound.next, 10);
        expect(unbound.changes).toEqual([{ carrier: 'YTO', waybill: W }]);
        // Unbinding nobody changes nothing.
        expect(await b.unbindOwner('YTO', W, ALICE)).toBe(false);
        expect((await b.changesSince(unbound.next, 10)).changes).toEqual([]);
      }));

    it('binds idempotently and unbinds once', () =>
      withBackend(async (b, clock) => {
        await b.append('YTO', [scan(W, 'e1')]);
        await b.bindOwner('YTO', W, ALICE, clock.now());
        await b.bindOwner('YTO', W, ALICE, clock.now() + 1);
        await b.bindOwner('YTO', W, BOB, clock.now());
        expect(await b.unbindOwner('YTO', W, ALICE)).toBe(true);
        expect(await b.unbindOwner('YTO', W, ALICE)).toBe(false);
        expect(await b.isOwner('YTO', W, ALICE)).toBe(false);
        expect(await b.isOwner('YTO', W, BOB)).toBe(true);
        expect(await b.unbindOwner('YTO', OTHER, BOB)).toBe(false);
      }));

    it("erases a waybill's owners with it: a waybill of the same number later has none", () =>
      withBackend(async (b, clock) => {
        await b.append('YTO', [scan(W, 'e1'), scan(OTHER, 'e2')]);
        await b.bindOwner('YTO', W, ALICE, clock.now());
        await b.bindOwner('YTO', OTHER, ALICE, clock.now());
        expect(await b.deleteWaybill('YTO', W)).toBeDefined();
        expect(await b.isOwner('YTO', W, ALICE)).toBe(false);
        await b.append('YTO', [scan(W, 'e3')]);
        expect(await b.isOwner('YTO', W, ALICE)).toBe(false);
        expect(await b.isOwner('YTO', OTHER, ALICE)).toBe(true);
      }));

    it('expires owners with their waybill under retention, and a dry run erases none', () =>
      withBackend(async (b, clock) => {
        await b.append('YTO', [scan(W, 'old', T0 - 100 * DAY), scan(OTHER, 'new', T0)]);
        await b.bindOwner('YTO', W, ALICE, clock.now());
        await b.bindOwner('YTO', OTHER, BOB, clock.now());
        await b.countOlderThan(T0 - 90 * DAY);
        expect(await b.isOwner('YTO', W, ALICE)).toBe(true);
        await b.purgeOlderThan(T0 - 90 * DAY);
        expect(await b.isOwner('YTO', W, ALICE)).toBe(false);
        expect(await b.isOwner('YTO', OTHER, BOB)).toBe(true);
        await b.append('YTO', [scan(W, 'again', T0)]);
        expect(await b.isOwner('YTO', W, ALICE)).toBe(false);
      }));
  });
}
