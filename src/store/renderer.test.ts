import { describe, expect, it } from 'vitest';
import { splitReply, type OrderStatus } from '../protocol/order-info.js';
import type { StoredEvent } from '../tracking/event.js';
import { makeRenderer } from './renderer.js';

const T = Date.UTC(2026, 6, 4, 12, 0, 0);
// Text a naive splice would trip on: quotes, the markers themselves, script-unsafe characters.
const NASTY = ['plain', '"traces":[', '],"cells":', '<script>&', '\u2028x\u2029', 'a\\"b', '{"accept_time":'];

/** Deterministic PRNG (mulberry32). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('makeRenderer().append', () => {
  const render = makeRenderer(() => 'Asia/Shanghai');

  it('equals a full render of all the events, over many random histories', () => {
    const rand = prng(42);
    const pick = <T>(list: readonly T[]) => list[Math.floor(rand() * list.length)]!;
    let compared = 0;
    for (let round = 0; round < 300; round++) {
      const n = 2 + Math.floor(rand() * 8);
      const events: StoredEvent[] = [];
      for (let i = 0; i < n; i++) {
        events.push({
          waybill: 'W',
          eventId: `e${i}`,
          time: T + i * 60_000 + (rand() < 0.2 ? 0 : Math.floor(rand() * 1000)),
          status: (rand() < 0.1 ? 4 : 1 + Math.floor(rand() * 3)) as OrderStatus,
          label: pick(NASTY),
          description: pick(NASTY),
          location: rand() < 0.3 ? undefined : pick(NASTY),
          eta: rand() < 0.3 ? `2026-07-${10 + i}` : undefined,
          cells: rand() < 0.2 ? [{ key: 'k', value: pick(NASTY).slice(0, 10) }] : undefined,
          seq: i + 1,
          ingestedAt: 0,
        });
      }
      const cut = 1 + Math.floor(rand() * (n - 1));
      const overrides = rand() < 0.2 ? { eta: '2026-09-01' } : undefined;
      const before = render('c', events.slice(0, cut), overrides);
      const appended = render.append!('c', before.json, before.lastEventAt, events.slice(cut), overrides);
      if (appended === undefined) continue; // declined (e.g. after a signature): a full render runs
      compared++;
      expect(appended).toEqual(render('c', events, overrides));
    }
    // Most histories take the append path, so the comparison above is not vacuous.
    expect(compared).toBeGreaterThan(150);
  });
});

describe('splitReply', () => {
  it('splits a serialized reply into its head and its traces as text', () => {
    const r = makeRenderer(() => 'Asia/Shanghai')('c', [
      {
        waybill: 'W',
        eventId: 'a',
        time: T,
        status: 2,
        label: '运输中',
        description: '],"cells":"<x>',
        location: undefined,
        eta: '2026-07-08',
        cells: [{ key: 'k', value: 'v' }],
        seq: 1,
        ingestedAt: 0,
      },
    ]);
    const split = splitReply(r.json)!;
    const parsed = JSON.parse(r.json) as Record<string, unknown> & { traces: unknown[] };
    expect(split.head).toEqual(withoutTraces(parsed));
    expect(JSON.parse('[' + split.tracesJson + ']')).toEqual(parsed.traces);
    expect(split.traceCount).toBe(1);
  });

  it('declines another layout', () => {
    expect(splitReply('{"err_code":0}')).toBeUndefined();
    expect(
      splitReply('{"err_code":0,"err_msg":"ok","order_status":9,"traces":[],"cells":[]}'),
    ).toBeUndefined();
  });
});

function withoutTraces(o: Record<string, unknown>): Record<string, unknown> {
  const rest = { ...o };
  delete rest.traces;
  return rest;
}
