/**
 * Rendering on read gives, byte for byte, the replies the previous release rendered at write time
 * and stored, for the same writes in the same arrival order: 300 parcels' traces delivered out of
 * time order in mixed batches, with whole-trace resends, conflicting resends and waybill-API
 * attribute changes between them (golden-trace.ts; golden-replies.json was written by the
 * previous release's store). On SQLite and, when it runs, on PostgreSQL.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createTestSchema } from '../testing/postgres-schema.js';
import { PostgresStore } from '../store/postgres/postgres-store.js';
import type { OrderStatus } from '../protocol/order-info.js';
import type { StoredEvent } from '../tracking/event.js';
import { renderReplyJson } from '../tracking/render.js';
import { RenderOnRead } from './render-on-read.js';
import goldenReplies from './testing/golden-replies.json' with { type: 'json' };
import { GOLDEN_CARRIERS, goldenOps, type GoldenEvent } from './testing/golden-trace.js';

const golden = goldenReplies as {
  seed: number;
  traces: number;
  outcomes: string[][];
  replies: Record<string, string>;
};
const optionsOf = (carrier: string) => GOLDEN_CARRIERS[carrier]!;

async function replay(store: Store): Promise<void> {
  const outcomes: string[][] = [];
  for (const op of goldenOps(golden.seed, golden.traces)) {
    if (op.op === 'append')
      outcomes.push(await store.append(op.carrier, op.events as GoldenEvent[] as never));
    else await store.setAttributes(op.carrier, op.waybill, op.patch);
  }
  expect(outcomes).toEqual(golden.outcomes);
}

async function expectGolden(store: Store): Promise<void> {
  const source = new RenderOnRead(store, optionsOf);
  const keys = Object.keys(golden.replies);
  expect(keys.length).toBeGreaterThan(300);
  let signed = 0;
  for (const key of keys) {
    const [carrier, waybill] = key.split('\n') as [string, string];
    const reply = await source.getReply(carrier, waybill);
    expect(reply?.json.toString(), key).toBe(golden.replies[key]);
    if (/"order_status":[46]/.test(golden.replies[key]!)) signed++;
  }
  // The stream exercises signatures (and so the no-going-back and same-time rules).
  expect(signed).toBeGreaterThan(50);
}

describe('render on read against the previous release', () => {
  it('equals the stored replies byte for byte on SQLite', async () => {
    const store = new SqliteStore({ path: ':memory:', clock: new ManualClock(Date.UTC(2026, 11, 1)) });
    await replay(store);
    await expectGolden(store);
    await store.close();
  });

  it('equals the stored replies byte for byte on PostgreSQL', async () => {
    const schema = await createTestSchema('wxtrack_golden');
    const store = await PostgresStore.open({
      pool: schema.pool(),
      clock: new ManualClock(Date.UTC(2026, 11, 1)),
    });
    try {
      await replay(store);
      await expectGolden(store);
    } finally {
      await store.close();
      await schema.drop();
    }
  });
});

describe('render on read, whatever the arrival order', () => {
  const eventArb = fc.record({
    minute: fc.integer({ min: 0, max: 30 }),
    status: fc.integer({ min: 0, max: 6 }),
    eta: fc.option(fc.constantFrom('2026-07-08', '2026-07-09'), { nil: undefined }),
    cells: fc.option(fc.constantFrom([{ key: 'k', value: 'v' }]), { nil: undefined }),
  });

  it('renders the same reply for any batching and order of arrival, ties by arrival', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(eventArb, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }),
        async (scans, order, sizes) => {
          const events = scans.map((s, i) => ({
            waybill: 'W',
            eventId: `e${i}`,
            time: Date.UTC(2026, 6, 1) + s.minute * 60_000,
            status: s.status as OrderStatus,
            label: `L${s.status}`,
            description: `d${i}`,
            location: undefined,
            eta: s.eta,
            cells: s.cells,
          }));
          // Arrival: a shuffle of the events, in batches of random sizes.
          const arrived = events
            .map((e, i) => ({ e, k: order[i]! }))
            .sort((a, b) => a.k - b.k)
            .map((x) => x.e);
          const store = new SqliteStore({ path: ':memory:', clock: new ManualClock(0) });
          for (let i = 0, b = 0; i < arrived.length; i += sizes[b++ % sizes.length]!)
            await store.append('yto', arrived.slice(i, i + sizes[b % sizes.length]!));
          const rendered = (await new RenderOnRead(store, optionsOf).getReply('yto', 'W'))!.json.toString();
          // The rule: events by time, ties in arrival order, rendered in one go.
          const expected: StoredEvent[] = arrived.map((e, seq) => ({ ...e, seq, ingestedAt: 0 }));
          expect(rendered).toBe(
            renderReplyJson(
              { events: expected, attributes: { eta: undefined, cells: undefined } },
              optionsOf('yto'),
            ),
          );
          await store.close();
        },
      ),
      { numRuns: 200 },
    );
  });
});
