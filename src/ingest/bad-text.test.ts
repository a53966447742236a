/**
 * @module
 * Text no store can keep (NUL, other control characters, unpaired surrogates) is one rejected
 * event, the same on SQLite and PostgreSQL, through a push and through an import: PostgreSQL
 * refuses NUL in `text`, which used to fail the push's whole 5,000-event slice (500) and stop an
 * import, while SQLite stored the event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { needs } from '../testing/services.js';
import { ManualClock } from '../clock/clock.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createTestSchema } from '../testing/postgres-schema.js';
import { defaultEventCodes } from '../tracking/event-codes.js';
import { importEventLines } from './import-events.js';
import { InlineIngestor } from './push/inline-ingestor.js';

const rules = { timeZone: 'Asia/Shanghai', codes: defaultEventCodes() };

const event = (i: number, over: Record<string, unknown> = {}) => ({
  waybill: `BT${String(i).padStart(6, '0')}`,
  event_id: `e${i}`,
  time: '2026-07-04T20:47:03+08:00',
  status: 2,
  description: `scan ${i}`,
  ...over,
});

/** Bad events at these indexes, one kind each, spread over both 5,000-event slices of a push. */
const BAD: Record<number, Record<string, unknown>> = {
  7: { description: 'a\u0000b' },
  4_999: { event_id: 'x\ud800y' },
  5_000: { location: 'a\u001bb' },
  9_998: { label: '\udc00' },
  9_999: { cells: [{ key: 'wxpay', value: 'a\u0000' }] },
};

const events = (n: number) => Array.from({ length: n }, (_, i) => event(i, BAD[i] ?? {}));

interface Opened {
  readonly store: Store;
  dispose(): Promise<void>;
}

const postgres = await needs('postgres');

const backends: [string, () => Promise<Opened>][] = [
  [
    'sqlite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'wxtrack-badtext-'));
      const store = new SqliteStore({
        path: join(dir, 'db'),
        create: true,
        clock: new ManualClock(Date.UTC(2026, 6, 5)),
      });
      return Promise.resolve({
        store,
        dispose: async () => {
          await store.close();
          rmSync(dir, { recursive: true, force: true });
        },
      });
    },
  ],
  [
    'postgres',
    async () => {
      const schema = await createTestSchema('wxtrack_badtext');
      const store = await PostgresStore.open({
        pool: schema.pool(),
        clock: new ManualClock(Date.UTC(2026, 6, 5)),
      });
      return {
        store,
        dispose: async () => {
          await store.close();
          await schema.drop();
        },
      };
    },
  ],
];

for (const [name, open] of backends) {
  (name === 'postgres' ? postgres.describe : describe)(`bad text on ${name}`, () => {
    let opened: Opened | undefined;
    afterEach(async () => {
      await opened?.dispose();
      opened = undefined;
    });

    it('a push of 10,000 events rejects the 5 bad ones alone, with their reasons, and stores the rest', async () => {
      opened = await open();
      const { store } = opened;
      const ingestor = new InlineIngestor(store);
      const body = Buffer.from(JSON.stringify(events(10_000)));
      const out = await ingestor.push({ carrier: 'default', body: { format: 'json', bytes: body }, rules });
      expect(out.ok).toBe(true);
      if (!out.ok) return;
      expect(out.statusCode).toBe(207);
      const reply = JSON.parse(out.body) as {
        accepted: number;
        rejected: number;
        results: { index: number; result: string; code?: string; reason?: string }[];
      };
      expect(reply.accepted).toBe(9_995);
      expect(reply.rejected).toBe(5);
      const rejected = reply.results.filter((r) => r.result === 'rejected');
      expect(rejected.map((r) => [r.index, r.code, r.reason])).toEqual([
        [7, 'invalid', 'description: control character U+0000 at position 1'],
        [4_999, 'invalid', 'event_id: unpaired surrogate U+D800 at position 1'],
        [5_000, 'invalid', 'location: control character U+001B at position 1'],
        [9_998, 'invalid', 'label: unpaired surrogate U+DC00 at position 0'],
        [9_999, 'invalid', 'cells[0].value: control character U+0000 at position 1'],
      ]);
      // Stored events answer; a waybill whose only event was refused has nothing, on both stores.
      expect(await store.readWaybill('default', 'BT000006')).toBeDefined();
      expect(await store.readWaybill('default', 'BT005001')).toBeDefined();
      for (const i of [7, 4_999, 5_000, 9_998, 9_999]) {
        expect(await store.readWaybill('default', `BT${String(i).padStart(6, '0')}`)).toBeUndefined();
      }

      // The sender's retry of the same body: the good events are duplicates, the bad still refused.
      const again = await ingestor.push({ carrier: 'default', body: { format: 'json', bytes: body }, rules });
      expect(again.ok && JSON.parse(again.body)).toMatchObject({
        accepted: 0,
        duplicates: 9_995,
        rejected: 5,
      });
    });

    it('an import with bad lines stores every good line and reports each bad one by line', async () => {
      opened = await open();
      const lines = events(300).map((e, i) =>
        JSON.stringify(i === 7 || i === 200 ? { ...e, description: i === 7 ? 'a\u0000b' : 'x\ud800' } : e),
      );
      const rejects: [number, string][] = [];
      const summary = await importEventLines(lines, opened.store, {
        carrier: 'default',
        timeZone: 'Asia/Shanghai',
        batchSize: 100,
        onReject: (line, reason) => rejects.push([line, reason]),
      });
      expect(summary).toMatchObject({ read: 300, inserted: 298, rejected: 2, conflicts: 0 });
      expect(rejects).toEqual([
        [8, 'description: control character U+0000 at position 1'],
        [201, 'description: unpaired surrogate U+D800 at position 1'],
      ]);
      expect(await opened.store.readWaybill('default', 'BT000299')).toBeDefined();
    });
  });
}
