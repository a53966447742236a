/**
 * @module
 * Generated traces holding personal data in the shapes couriers write it (customer phones as
 * mobiles, grouped, +86 and virtual numbers with extensions; names; pickup codes), beside a
 * courier's phone, and the leak check that looks for a value in a reply's bytes in every form:
 * raw, JSON-escaped, \uXXXX-escaped, and in the decoded strings once separators are dropped.
 * Shared by the store-mode and pull-mode proofs of privacy tiers.
 */
import fc from 'fast-check';
import { parseJsonpBody } from '../../protocol/jsonp.js';

const SURNAMES = [...'王张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉萍红娥玲'];

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

export interface Secrets {
  readonly phones: string[];
  readonly names: string[];
  readonly codes: string[];
}

/** One event's description, its secrets, and whether it carries them as fields too. */
export const eventPart = (courier: string): fc.Arbitrary<Part> =>
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

export const scenario = fc
  .tuple(mobile, fc.array(fc.constant(null), { minLength: 1, maxLength: 5 }))
  .chain(([courier, slots]) =>
    fc.tuple(fc.constant(courier), fc.tuple(...slots.map(() => eventPart(courier)))),
  )
  .filter(([courier, parts]) => parts.every((p) => p.m !== courier && !courier.includes(p.m)));

export interface Part {
  readonly description: string;
  /** The mobile's 11 digits, and the mobile as written with its extension. */
  readonly m: string;
  readonly phone: string;
  readonly n: string;
  readonly code: string;
  readonly structured: boolean;
  readonly ext: string | undefined;
}

export function secretsOf(parts: readonly Part[]): Secrets {
  return {
    phones: parts.map((p) => p.m),
    names: parts.map((p) => p.n),
    codes: parts.map((p) => p.code),
  };
}

export const uEscape = (s: string, upper: boolean) =>
  [...s]
    .map((c) => {
      const hex = c.charCodeAt(0).toString(16).padStart(4, '0');
      return '\\u' + (upper ? hex.toUpperCase() : hex);
    })
    .join('');

/** Every string in a decoded reply. */
export function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) strings(v, out);
  else if (typeof value === 'object' && value !== null) for (const v of Object.values(value)) strings(v, out);
  return out;
}

export function leaks(bytes: Buffer, secret: string): string | undefined {
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
