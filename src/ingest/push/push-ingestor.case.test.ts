/**
 * @module
 * The contract every PushIngestor passes. An implementation's test file calls
 * {@link pushIngestorContract} with a factory that opens it on a fresh SQLite file; the suite
 * reads what was stored through a connection of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { defaultEventCodes } from '../../tracking/event-codes.js';
import { PUSH_SLICE, type PushIngestor, type PushRequest } from './push-ingestor.js';
import { replyOf } from '../../testing/render-reply.js';

const rules = { timeZone: 'Asia/Shanghai', codes: defaultEventCodes() };
const event = (over: Record<string, unknown> = {}) => ({
  waybill: 'YT1234567890123',
  event_id: 'e1',
  time: '2026-07-04T20:47:03+08:00',
  status: 2,
  description: '快件离开【河北永清县】已发往【贵阳】',
  ...over,
});
const json = (value: unknown): PushRequest => ({
  carrier: 'default',
  body: { format: 'json', bytes: Buffer.from(JSON.stringify(value)) },
  rules,
});
const ndjson = (text: string): PushRequest => ({
  carrier: 'default',
  body: { format: 'ndjson', bytes: Buffer.from(text) },
  rules,
});

export function pushIngestorContract(name: string, open: (dbPath: string) => Promise<PushIngestor>): void {
  describe(`PushIngestor contract: ${name}`, () => {
    let dir: string;
    let reader: SqliteStore;
    let ingestor: PushIngestor;
    beforeEach(async () => {
      dir = mkdtempSync(join(tmpdir(), 'wxtrack-push-'));
      const path = join(dir, 'push.db');
      // Creates the schema before the ingestor opens the file.
      reader = new SqliteStore({
        path,
        create: true,
        clock: new ManualClock(0),
      });
      ingestor = await open(path);
    });
    afterEach(async () => {
      await ingestor.close();
      await reader.close();
      rmSync(dir, { recursive: true, force: true });
    });

    const reply = async (waybill: string) =>
      JSON.parse((await replyOf(reader, 'default', waybill))!.json.toString()) as {
        order_status: number;
        traces: unknown[];
      };

    it('stores a JSON array, answers 200 with one result per event, and names the waybills', async () => {
      const out = await ingestor.push(
        json([event({ event_id: 'a' }), event({ event_id: 'b', waybill: 'YT2', status: 3 })]),
      );
      expect(out.ok).toBe(true);
      if (!out.ok) return;
      expect(out.statusCode).toBe(200);
      expect(out.accepted).toBe(2);
      expect([...out.waybills].sort()).toEqual(['YT1234567890123', 'YT2']);
      expect(JSON.parse(out.body)).toEqual({
        accepted: 2,
        duplicates: 0,
        rejected: 0,
        results: [
          { index: 0, event_id: 'a', result: 'accepted' },
          { index: 1, event_id: 'b', result: 'accepted' },
        ],
      });
      expect((await reply('YT2')).order_status).toBe(3);
    });

    it('answers 207 for NDJSON with a bad line, storing the good ones', async () => {
      const out = await ingestor.push(
        ndjson(
          JSON.stringify(event({ event_id: 'a' })) +
            '\n{"broken":\n\n' +
            JSON.stringify(event({ event_id: 'b' })),
        ),
      );
      expect(out.ok && out.statusCode).toBe(207);
      if (!out.ok) return;
      expect(JSON.parse(out.body)).toMatchObject({
        accepted: 2,
        rejected: 1,
        results: [{ index: 0 }, { index: 1, result: 'rejected', code: 'invalid_json' }, { index: 2 }],
      });
      expect((await reply('YT1234567890123')).traces).toHaveLength(2);
    });

    it('refuses a body that is not a JSON array, or not JSON, and stores nothing', async () => {
      expect(await ingestor.push(json(event()))).toEqual({ ok: false, error: 'not-an-array' });
      const broken: PushRequest = { ...json([]), body: { format: 'json', bytes: Buffer.from('[{"a":') } };
      expect(await ingestor.push(broken)).toEqual({ ok: false, error: 'bad-json' });
      expect(await replyOf(reader, 'default', 'YT1234567890123')).toBeUndefined();
    });

    it('names no waybill when every event was already stored', async () => {
      await ingestor.push(json([event()]));
      const again = await ingestor.push(json([event()]));
      expect(again.ok && again.waybills).toEqual([]);
      expect(again.ok && JSON.parse(again.body)).toMatchObject({ accepted: 0, duplicates: 1 });
    });

    it('stores a push larger than one transaction slice whole, numbering events across slices', async () => {
      const n = PUSH_SLICE + 3;
      const events = Array.from({ length: n }, (_, i) =>
        event({
          event_id: `s${i}`,
          waybill: `YT${i % 7}`,
          time: new Date(Date.UTC(2026, 6, 1) + i * 1000).toISOString(),
        }),
      );
      events[n - 1] = { ...events[n - 1]!, status: 9 };
      const out = await ingestor.push(json(events));
      expect(out.ok).toBe(true);
      if (!out.ok) return;
      const body = JSON.parse(out.body) as {
        accepted: number;
        rejected: number;
        results_omitted: number;
        results: { index: number }[];
      };
      // Past RESULTS_CAP events the reply lists only the rejected ones (push-reply.ts): the one
      // rejected event keeps its index in the whole push, past the first slice.
      expect(body).toMatchObject({ accepted: n - 1, rejected: 1, truncated: true, results_omitted: n - 1 });
      expect(body.results.map((r) => r.index)).toEqual([n - 1]);
      const onYT0 = events.filter((e, i) => i < n - 1 && e.waybill === 'YT0').length;
      expect((await reply('YT0')).traces).toHaveLength(onYT0);
    });
  });
}
