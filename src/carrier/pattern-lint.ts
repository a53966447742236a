/**
 * @module
 * `wxtrack pattern lint`: what a courier needs to know about its waybill pattern before it
 * registers it with WeChat, as a report it can act on:
 *
 * - **coverage**: the share of its stored waybills the pattern matches, with examples of misses
 *   (too narrow: its own parcels show nothing);
 * - **collisions**: overlaps with the major couriers' formats (too broad: it claims their parcels),
 *   by their sample numbers and by exact language intersection, with examples;
 * - **breadth**: how many numbers of each length it accepts, with a warning when it accepts a
 *   large share of all numbers of a length (`^\d{12}$` accepts every 12-digit number);
 * - **notice**: the change-notice email WeChat asks for (运单正则表达式更新).
 *
 * Pure: the caller reads the stored waybills and passes them in.
 */
import type { Carrier } from './carrier.js';
import { COURIER_CATALOGUE, isSameCourier, type CatalogueCourier } from './courier-catalogue.js';
import { countPerLength, DIGITS, isUnbounded, overlapExamples, UPPER_ALNUM } from './pattern-language.js';
import { checkWaybillPattern } from './pattern-safety.js';

/** Shares at or above this draw a breadth warning: 1 % of all numbers of a length. */
export const BREADTH_WARN_SHARE = 0.01;
/** Examples shown per finding. */
export const EXAMPLES = 5;

export interface LintInput {
  readonly carrier: Pick<Carrier, 'id' | 'name' | 'waybillPattern' | 'phone' | 'testWaybills'>;
  /** The carrier's stored waybill numbers (all of them, or the pages read). */
  readonly waybills: readonly string[];
  /** The pattern registered before, for the change notice; absent when unknown. */
  readonly previousPattern?: string;
  readonly catalogue?: readonly CatalogueCourier[];
}

export interface Coverage {
  /** Stored waybills checked. */
  readonly checked: number;
  /** Of those, how many the pattern matches. */
  readonly matched: number;
  /** matched / checked; `undefined` when nothing is stored. */
  readonly share: number | undefined;
  /** Some stored waybills the pattern does not match. */
  readonly misses: readonly string[];
}

export interface Collision {
  readonly courier: string;
  readonly code: string;
  /** The courier's sample numbers that the pattern matches. */
  readonly sampleHits: readonly string[];
  /** Numbers both the pattern and the courier's format accept, shortest first. */
  readonly overlap: readonly string[];
}

export interface LengthBreadth {
  readonly length: number;
  /** Printable-ASCII strings of this length the pattern accepts. */
  readonly count: bigint;
  /** Share of all digit strings of this length it accepts. */
  readonly digitShare: number;
  /** Share of all upper-case alphanumeric strings of this length it accepts. */
  readonly alnumShare: number;
}

export interface Breadth {
  readonly lengths: readonly LengthBreadth[];
  /** Accepts strings of any length (up to the 64 WeChat sends). */
  readonly unbounded: boolean;
  readonly warnings: readonly string[];
}

export type LintReport =
  | {
      readonly ok: true;
      readonly carrier: { readonly id: string; readonly name: string };
      readonly pattern: string;
      readonly coverage: Coverage;
      readonly collisions: readonly Collision[];
      readonly breadth: Breadth;
      readonly notice: string;
      /** Every finding worth acting on, one line each; empty for a clean pattern. */
      readonly findings: readonly string[];
    }
  /** The pattern cannot even be registered (see pattern-safety.ts). */
  | { readonly ok: false; readonly pattern: string; readonly reason: string };

/** Exact ratio of two big integers as a float, without overflowing on 10^64. */
function ratio(part: bigint, whole: bigint): number {
  if (whole === 0n) return 0;
  const scaled = (part * 1_000_000_000n) / whole;
  return Number(scaled) / 1e9;
}

/** `1000000000000` → `1.0e12`; small counts as they are. */
export function formatCount(n: bigint): string {
  if (n < 1_000_000n) return n.toString();
  const digits = n.toString();
  return `${digits[0]}.${digits[1]}e${digits.length - 1}`;
}

const percent = (share: number) => `${(share * 100).toFixed(share < 0.001 ? 3 : 1)}%`;

export function lintPattern(input: LintInput): LintReport {
  const { carrier } = input;
  const checked = checkWaybillPattern(carrier.waybillPattern);
  if (!checked.ok) return { ok: false, pattern: carrier.waybillPattern, reason: checked.reason };
  const core = checked.core;
  const findings: string[] = [];

  // Coverage.
  const misses: string[] = [];
  let matched = 0;
  for (const w of input.waybills) {
    if (checked.matcher.test(w)) matched++;
    else if (misses.length < EXAMPLES) misses.push(w);
  }
  const coverage: Coverage = {
    checked: input.waybills.length,
    matched,
    share: input.waybills.length === 0 ? undefined : matched / input.waybills.length,
    misses,
  };
  if (coverage.share !== undefined && matched < coverage.checked) {
    findings.push(
      `coverage: ${coverage.checked - matched} of ${coverage.checked} stored waybills do not match (e.g. ${misses.join(', ')}); WeChat will show nothing for them`,
    );
  }

  // Collisions.
  const collisions: Collision[] = [];
  for (const entry of input.catalogue ?? COURIER_CATALOGUE) {
    if (isSameCourier(entry, carrier)) continue;
    const sampleHits = entry.samples.filter((s) => checked.matcher.test(s));
    const overlap = overlapExamples(core, entry.pattern, 3);
    if (sampleHits.length === 0 && overlap.length === 0) continue;
    collisions.push({ courier: entry.name, code: entry.code, sampleHits, overlap });
    findings.push(
      `collision: overlaps ${entry.name} (${entry.code}) numbers, e.g. ${[...sampleHits, ...overlap].slice(0, 3).join(', ')}`,
    );
  }

  // Breadth.
  const printable = countPerLength(core);
  const digits = countPerLength(core, DIGITS);
  const alnum = countPerLength(core, UPPER_ALNUM);
  const lengths: LengthBreadth[] = [];
  const breadthWarnings: string[] = [];
  printable.forEach((count, length) => {
    if (count === 0n) return;
    const digitShare = ratio(digits[length]!, 10n ** BigInt(length));
    const alnumShare = ratio(alnum[length]!, 36n ** BigInt(length));
    lengths.push({ length, count, digitShare, alnumShare });
    if (digitShare >= BREADTH_WARN_SHARE) {
      breadthWarnings.push(
        `breadth: accepts ${percent(digitShare)} of all ${length}-digit numbers; add the prefix or fixed digits your numbers carry`,
      );
    } else if (alnumShare >= BREADTH_WARN_SHARE) {
      breadthWarnings.push(
        `breadth: accepts ${percent(alnumShare)} of all ${length}-character codes of A-Z 0-9; narrow it to your real format`,
      );
    }
  });
  const unbounded = isUnbounded(core);
  if (unbounded) breadthWarnings.push('breadth: no upper bound on length; use {m,n} instead of + or *');
  findings.push(...breadthWarnings);

  const report = {
    ok: true as const,
    carrier: { id: carrier.id, name: carrier.name },
    pattern: carrier.waybillPattern,
    coverage,
    collisions,
    breadth: { lengths, unbounded, warnings: breadthWarnings },
    findings,
  };
  return { ...report, notice: changeNotice(input, coverage) };
}

/** The email WeChat asks for when a registered pattern changes (运单正则表达式更新). */
export function changeNotice(input: LintInput, coverage: Coverage): string {
  const { carrier } = input;
  const matcher = checkWaybillPattern(carrier.waybillPattern);
  const samples = matcher.ok ? input.waybills.filter((w) => matcher.matcher.test(w)).slice(0, 3) : [];
  const tests = [...(carrier.testWaybills ?? [])];
  const share =
    coverage.share === undefined
      ? '（尚无已存运单）'
      : `${coverage.matched}/${coverage.checked}（${percent(coverage.share)}）`;
  return [
    '收件人：wxwuliu@tencent.com',
    `【邮件标题】${carrier.name} - 运单正则表达式更新`,
    '',
    '【邮件内容】',
    '您好：',
    '',
    `${carrier.name}（company_id：${carrier.id}）的运单正则表达式有更新，请协助更新「扫一扫查快递」的运单判断规则。`,
    '',
    `原正则表达式：${input.previousPattern ?? '（请填写当前登记的正则表达式）'}`,
    `新正则表达式：${carrier.waybillPattern}`,
    '匹配方式：整串匹配，等同 ^(?:新正则表达式)$',
    `新正则匹配的运单样例：${samples.length > 0 ? samples.join('、') : '（请填写）'}`,
    `白名单测试运单：${tests.length > 0 ? tests.join('、') : '（无）'}`,
    `已存运单匹配率：${share}`,
    `运力客服电话：${carrier.phone ?? '（请填写）'}`,
    '计划生效时间：（请填写）',
    '',
    '谢谢！',
    carrier.name,
    '',
  ].join('\n');
}
