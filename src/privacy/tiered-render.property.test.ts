/**
 * The proof the issue asks for, over generated traces: customer phones (mobiles, grouped, +86,
 * virtual numbers with extensions), names and pickup codes, written in free text in the shapes
 * couriers use and as an event's own fields, beside a courier's phone.
 *
 * - a stranger's reply never holds any of them in full, anywhere in its bytes: raw, JSON-escaped,
 *   \uXXXX-escaped, or in the decoded strings once separators are dropped;
 * - an owner's reply is byte for byte the reply rendered without privacy tiers;
 * - the courier's phone survives in the stranger's reply.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonpBody, parseJsonpBody } from '../protocol/jsonp.js';
import { serializeOrderInfo } from '../protocol/order-info.js';
import type { StoredEvent } from '../tracking/event.js';
import { renderWaybill } from '../tracking/render.js';
import { DEFAULT_PRIVACY } from './privacy-rules.js';
import { renderForTier } from './tiered-render.js';
import { leaks, scenario, strings, secretsOf, type Part } from './testing/personal-traces.js';

const OPTIONS = { timeZone: 'Asia/Shanghai' } as const;

function eventsOf(parts: readonly Part[]): StoredEvent[] {
  return parts.map((p, i) => ({
    waybill: 'YT1234567890123',
    eventId: `e${i}`,
    time: Date.UTC(2026, 6, 4, 1, i),
    status: i === parts.length - 1 ? 4 : 2,
    label: i === parts.length - 1 ? '已签收' : '运输中',
    description: p.description,
    location: i % 2 === 0 ? '杭州西湖' : undefined,
    eta: undefined,
    cells: undefined,
    seq: i + 1,
    ingestedAt: 0,
    ...(p.structured
      ? {
          recipientName: p.n,
          recipientPhone: p.m + (p.ext?.startsWith('-') ? p.ext : ''),
          pickupCode: p.code,
        }
      : {}),
  }));
}

const body = (events: StoredEvent[], tier: 'full' | 'masked') =>
  Buffer.from(
    jsonpBody('WxOrderCb', serializeOrderInfo(renderForTier(events, OPTIONS, tier, DEFAULT_PRIVACY).info)),
  );

describe('privacy tiers over generated traces', () => {
  it("a stranger's reply holds no customer phone, name or pickup code in full; courier phones survive", () => {
    fc.assert(
      fc.property(scenario, ([courier, parts]) => {
        const events = eventsOf(parts);
        const masked = body(events, 'masked');
        const secrets = secretsOf(parts);
        for (const s of [...secrets.phones, ...secrets.names, ...secrets.codes]) {
          expect(leaks(masked, s)).toBeUndefined();
        }
        const courierShown = parts.some((p) => p.description.includes(courier));
        if (courierShown) expect(masked.includes(Buffer.from(courier))).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("an owner's reply is byte-identical to the reply without tiers, and holds every value", () => {
    fc.assert(
      fc.property(scenario, ([, parts]) => {
        const events = eventsOf(parts);
        const owner = body(events, 'full');
        const plain = Buffer.from(
          jsonpBody('WxOrderCb', serializeOrderInfo(renderWaybill(events, OPTIONS).info)),
        );
        expect(owner.equals(plain)).toBe(true);
        const decoded = strings(parseJsonpBody(owner.toString('utf8'))).join('\n');
        for (const p of parts) {
          if (p.description.includes(p.n) || p.structured) expect(decoded).toContain(p.n);
          if (p.description.includes(p.code) || p.structured) expect(decoded).toContain(p.code);
          if (p.description.includes(p.phone)) expect(decoded).toContain(p.phone);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('the leak check itself finds values in every escaped form', () => {
    const bytes = Buffer.from(
      'WxOrderCb({"a":"\\u5f20\\u4e09","b":"138 1234 5678","c":"\\u0038\\u002d3-2011"})',
    );
    expect(leaks(bytes, '张三')).toMatch(/bytes hold/);
    expect(leaks(bytes, '13812345678')).toMatch(/separators are dropped/);
    expect(leaks(bytes, '8-3-2011')).toMatch(/decoded string/);
    expect(leaks(bytes, '李四')).toBeUndefined();
  });
});
