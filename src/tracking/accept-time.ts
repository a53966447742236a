/**
 * @module
 * A fast path for {@link formatAcceptTime}: rendering calls it once per trace, and `Intl`'s
 * `formatToParts` costs microseconds a call, which bulk import pays millions of times.
 *
 * A zone's UTC offset changes only at rare transitions, so the offset is cached per 15-minute
 * slice of time: when the slice's first and last second share one offset, every instant inside
 * does too (no zone changes offset twice within 15 minutes), and the wall time is plain UTC
 * arithmetic. A slice that holds a transition, and instants before 1970, take the exact `Intl`
 * path. Pure: the cache is memoization, bounded in size.
 */
import { formatAcceptTime } from './time.js';

const SLICE_MS = 15 * 60_000;
/** Most cached slices (one Map entry each); the cache starts afresh past it. */
export const OFFSET_CACHE_ENTRIES = 200_000;
const offsets = new Map<string, number | null>();

function wallAsUtc(epochMs: number, timeZone: string): number {
  // formatAcceptTime is exact; reading it back as UTC gives the offset at whole seconds.
  const text = formatAcceptTime(epochMs, timeZone);
  return Date.UTC(
    Number(text.slice(0, 4)),
    Number(text.slice(5, 7)) - 1,
    Number(text.slice(8, 10)),
    Number(text.slice(11, 13)),
    Number(text.slice(14, 16)),
    Number(text.slice(17, 19)),
  );
}

function sliceOffset(slice: number, timeZone: string): number | null {
  const key = timeZone + '\u0000' + slice;
  const hit = offsets.get(key);
  if (hit !== undefined) return hit;
  const start = slice * SLICE_MS;
  const end = start + SLICE_MS - 1000;
  const a = wallAsUtc(start, timeZone) - start;
  const b = wallAsUtc(end, timeZone) - end;
  // Both ends are whole seconds, so the offset is too.
  const offset = a === b ? a : null;
  if (offsets.size >= OFFSET_CACHE_ENTRIES) offsets.clear();
  offsets.set(key, offset);
  return offset;
}

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));

/** Same result as {@link formatAcceptTime}, memoizing the zone's offset. */
export function formatAcceptTimeFast(epochMs: number, timeZone: string): string {
  // Stryker disable next-line EqualityOperator,ConditionalExpression: at 0 both paths agree; past 9999 the five-digit year reads as NaN, so the exact path runs anyway
  if (!(epochMs >= 0 && epochMs < 253_402_300_800_000)) return formatAcceptTime(epochMs, timeZone);
  const offset = sliceOffset(Math.floor(epochMs / SLICE_MS), timeZone);
  if (offset === null) return formatAcceptTime(epochMs, timeZone);
  const d = new Date(epochMs + offset);
  return (
    d.getUTCFullYear() +
    '-' +
    pad2(d.getUTCMonth() + 1) +
    '-' +
    pad2(d.getUTCDate()) +
    ' ' +
    pad2(d.getUTCHours()) +
    ':' +
    pad2(d.getUTCMinutes()) +
    ':' +
    pad2(d.getUTCSeconds())
  );
}
