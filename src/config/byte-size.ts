/**
 * @module
 * Byte sizes as operators write them (`10MiB`, `512KiB`, `1048576`), shared by `--body-limit`
 * and a carrier's `bodyLimit` in the configuration file, so both accept the same forms. Powers of
 * 1024 throughout: `10MB` is 10 × 1024², since a limit is about buffers, and a second meaning
 * of the same letters would be a trap. Pure.
 */

/** Smallest and largest body limit accepted: 1 KiB (a few events) to 1 GiB. */
export const BODY_LIMIT_RANGE = Object.freeze({ min: 1024, max: 1024 ** 3 });

/** `10485760`, `512KiB`, `10MiB` (also `k`, `m`, `KB`, `MB`, all as powers of 1024). */
export function parseByteSize(text: string): number | undefined {
  const m = /^(\d+)\s*(|b|k|kb|kib|m|mb|mib)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = m[2]!.toLowerCase();
  const factor = unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 * 1024 : 1;
  return Number(m[1]) * factor;
}

/** A body limit from text or a number of bytes; `undefined` when it is not one within range. */
export function parseBodyLimit(value: string | number): number | undefined {
  const n = typeof value === 'number' ? value : parseByteSize(value);
  if (n === undefined || !Number.isInteger(n)) return undefined;
  return n >= BODY_LIMIT_RANGE.min && n <= BODY_LIMIT_RANGE.max ? n : undefined;
}
