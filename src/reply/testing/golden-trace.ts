/**
 * @module
 * A seeded stream of writes for the render-on-read equivalence test (render-on-read.test.ts):
 * random parcels' traces (same-time ties, signatures, returns after a signature, ETAs, cells),
 * delivered out of time order in mixed batches, with whole-trace resends (duplicates), a few
 * conflicting resends, and waybill-API attribute changes in between. golden-replies.json holds
 * the replies the previous release stored, rendering at write time, for the stream of seed
 * 20261206 with 300 parcels; the test replays the same stream and renders on read.
 */
import type { Cell, OrderStatus } from '../../protocol/order-info.js';
import type { RenderOptions } from '../../tracking/render.js';
import type { WaybillAttributesPatch } from '../../store/store.js';

/** Two carriers with different layouts, so both trace orders and address forms are covered. */
export const GOLDEN_CARRIERS: Readonly<Record<string, Omit<RenderOptions, 'overrides'>>> = {
  yto: { timeZone: 'Asia/Shanghai' },
  sf: { timeZone: 'UTC', traceOrder: 'newest-first', address: 'description' },
};

/** A scan event as JSON can carry it (`undefined` fields left out). */
export interface GoldenEvent {
  readonly waybill: string;
  readonly eventId: string;
  readonly time: number;
  readonly status: OrderStatus;
  readonly label: string;
  readonly description: string;
  readonly location?: string;
  readonly eta?: string;
  readonly cells?: readonly Cell[];
}

export type GoldenOp =
  | { readonly op: 'append'; readonly carrier: string; readonly events: readonly GoldenEvent[] }
  | {
      readonly op: 'attributes';
      readonly carrier: string;
      readonly waybill: string;
      readonly patch: WaybillAttributesPatch;
    };

/** mulberry32: small, seeded, the same on every platform. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const T0 = Date.UTC(2026, 10, 1, 2, 0, 0);

export function goldenOps(seed: number, parcels: number): GoldenOp[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const all: { carrier: string; event: GoldenEvent }[] = [];
  const waybills: { carrier: string; waybill: string }[] = [];
  for (let p = 0; p < parcels; p++) {
    const carrier = p % 3 === 2 ? 'sf' : 'yto';
    const waybill = `G${String(p).padStart(6, '0')}`;
    waybills.push({ carrier, waybill });
    let time = T0 + int(48) * 3_600_000;
    const n = 1 + int(9);
    for (let i = 0; i < n; i++) {
      // One step in four keeps the same time: ties decided by ingest order and signatures.
      if (i > 0 && rnd() >= 0.25) time += (1 + int(600)) * 60_000;
      const last = i === n - 1;
      const status = (
        last && rnd() < 0.6 ? pick([4, 6]) : rnd() < 0.1 ? pick([4, 5, 6]) : pick([0, 1, 2, 2, 3])
      ) as OrderStatus;
      all.push({
        carrier,
        event: {
          waybill,
          eventId: `${waybill}-${i}`,
          time,
          status,
          label: `L${status}`,
          description: `d${i}`,
          ...(rnd() < 0.7 ? { location: `loc${int(5)}` } : {}),
          ...(rnd() < 0.3 ? { eta: `2026-11-${String(10 + int(19)).padStart(2, '0')}` } : {}),
          ...(rnd() < 0.2 ? { cells: [{ key: 'k' + int(3), value: 'v' + int(9) }] } : {}),
        },
      });
    }
  }
  // Arrival out of time order: each event's delay is random, so later scans often come first.
  const arrivals = all
    .map((x) => ({ ...x, at: x.event.time + int(12) * 3_600_000 }))
    .sort((a, b) => a.at - b.at);
  const ops: GoldenOp[] = [];
  for (let i = 0; i < arrivals.length;) {
    const size = 1 + int(40);
    const slice = arrivals.slice(i, i + size);
    i += size;
    for (const carrier of ['yto', 'sf']) {
      const events = slice.filter((x) => x.carrier === carrier).map((x) => x.event);
      if (events.length > 0) ops.push({ op: 'append', carrier, events });
    }
    // A whole-trace resend of a parcel already seen: duplicates, now and then a changed event.
    if (rnd() < 0.3 && ops.length > 0) {
      const seen = arrivals.slice(0, i);
      const one = pick(seen);
      const trace = seen
        .filter((x) => x.event.waybill === one.event.waybill)
        .map((x) => (rnd() < 0.05 ? { ...x.event, description: 'changed' } : x.event));
      ops.push({ op: 'append', carrier: one.carrier, events: trace });
    }
    if (rnd() < 0.15) {
      const w = pick(waybills);
      const patch: WaybillAttributesPatch =
        rnd() < 0.5
          ? { eta: rnd() < 0.3 ? null : `2026-12-${String(1 + int(28)).padStart(2, '0')}` }
          : rnd() < 0.5
            ? { cells: rnd() < 0.3 ? null : [{ key: 'api', value: 'x' + int(9) }] }
            : { destination: 'dest' + int(9) };
      ops.push({ op: 'attributes', carrier: w.carrier, waybill: w.waybill, patch });
    }
  }
  // Attributes for waybills that never get a scan.
  ops.push({ op: 'attributes', carrier: 'yto', waybill: 'NOSCAN1', patch: { eta: '2026-12-24' } });
  ops.push({
    op: 'attributes',
    carrier: 'sf',
    waybill: 'NOSCAN2',
    patch: { cells: [{ key: 'api', value: 'only' }] },
  });
  return ops;
}
