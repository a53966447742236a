/**
 * @module
 * Retention ages as operators write them: `180d`, `26w`, `36h`. Pure.
 */

const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
});

/** Milliseconds, or `undefined` for anything but a positive whole number of h, d or w. */
export function parseAge(text: string): number | undefined {
  const m = /^\s*(\d{1,6})\s*([hdw])\s*$/i.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 ? n * UNIT_MS[m[2]!.toLowerCase()]! : undefined;
}
