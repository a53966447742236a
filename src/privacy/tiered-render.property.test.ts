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

const SURNAMES = [...'王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉萍红娥玲'];
const OPTIONS = { timeZone: 'Asia/Shanghai' } as const;

const digits = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const mobile = fc
  .tuple(fc.constantFrom(...'3456789'), digits(9))
  .map(([second, rest]) => '1' + second + rest);
/** How a mobile is written: plain, grouped 3-4-4 by spaces or hyphens, after +86. */
const written = (m: string) =>
  fc.constantFrom(
    m,
    `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`,
    `${m.slice(0, 3)}-${m.slice(3, 7)}-${m.slice(7)}`,
    `+86 ${m}`,
  );
const extension = fc
  .tuple(fc.constantFrom('-', '转'), fc.integer({ min: 1, max: 6 }))
  .chain(([sep, n]) => digits(n).map((d) => sep + d));
const name = fc
  .tuple(fc.constantFrom(...SURNAMES), fc.array(fc.constantFrom(...GIVEN), { minLength: 1, maxLength: 2 }))
  .map(([s, g]) => s + g.join(''));
/** Codes with hyphens or a letter, so no timestamp or phone can hold one by chance. */
const pickupCode = fc.oneof(
  fc
    .tuple(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), digits(4))
    .map(([a, b, c]) => `${a}-${b}-${c}`),
  fc.tuple(fc.constantFrom(...'ABCDEFGH'), digits(2), digits(4)).map(([l, a, b]) => `${l}${a}-${b}`),
);

interface Secrets {
  readonly phones: string[];
  readonly names: string[];
  readonly codes: string[];
}

/** One event's description, its secrets, and whether it carries them as fields too. */
const eventPart = (courier: string): fc.Arbitrary<Part> =>
  fc
    .record({
      template: fc.integer({ min: 0, max: 7 }),
      phone: mobile.chain((m) =>
        fc.tuple(fc.constant(m), written(m), fc.option(extension, { nil: undefined })),
      ),
      name,
      code: pickupCode,
      structured: fc.boolean(),
      noise: fc.constantFrom('', '<b>', 'A&B ', '\u2028'),
    })
    .map(({ template, phone: [m, shape, ext], name: n, code, structured, noise }) => {
      const phone = shape + (ext ?? '');
      const courierPart = `派件员【李四，电话：${courier}】正在派件`;
      const descriptions = [
        `已签收，签收人：${n}`,
        `收件人${n}，电话${phone}，${courierPart}`,
        `请凭取件码 ${code} 到丰巢柜取件`,
        `${noise}快件已由【丰巢智能柜】代收，取件码【${code}】，${courierPart}`,
        `收件人电话${phone}无人接听，${courierPart}`,
        `联系${phone}`,
        `寄件人：${n}${noise}`,
        `${courierPart}，收件人${n}已签收`,
      ];
      return { description: descriptions[template]!, m, phone, n, code, structured, ext };
    });

const scenario = fc
  .tuple(mobile, fc.array(fc.constant(null), { minLength: 1, maxLength: 5 }))
  .chain(([courier, slots]) =>
    fc.tuple(fc.constant(courier), fc.tuple(...slots.map(() => eventPart(courier)))),
  )
  .filter(([courier, parts]) => parts.every((p) => p.m !== courier && !courier.includes(p.m)));

interface Part {
  readonly description: string;
  /** The mobile's 11 digits, and the mobile as written with its extension. */
  readonly m: string;
  readonly phone: string;
  readonly n: string;
  readonly code: string;
  readonly structured: boolean;
  readonly ext: string | undefined;
}

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

function secretsOf(parts: readonly Part[]): Secrets {
  return {
    phones: parts.map((p) => p.m),
    names: parts.map((p) => p.n),
    codes: parts.map((p) => p.code),
  };
}

const body = (events: StoredEvent[], tier: 'full' | 'masked') =>
  Buffer.from(
    jsonpBody('WxOrderCb', serializeOrderInfo(renderForTier(events, OPTIONS, tier, DEFAULT_PRIVACY).info)),
  );

const uEscape = (s: string, upper: boolean) =>
  [...s]
    .map((c) => {
      const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
      return '\\u' + (upper ? hex.toUpperCase() : hex);
    })
    .join('');

/** Every string in a decoded reply. */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) strings(v, out);
  return out;
}

function leaks(bytes: Buffer, secret: string): string | undefined {
  const forms = [secret, JSON.stringify(secret).slice(1, -1), uEscape(secret, false), uEscape(secret, true)];
  for (const f of forms) if (bytes.includes(Buffer.from(f))) return `bytes hold ${f}`;
  const decoded = strings(parseJsonpBody(bytes.toString('utf8')));
  for (const s of decoded) {
    if (s.includes(secret)) return `decoded string holds ${secret}: ${s}`;
    if (s.replace(/[\s-]/g, '').includes(secret.replace(/[\s-]/g, '')))
      return `decoded string holds ${secret} once separators are dropped: ${s}`;
  }
  return undefined;
}

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
