// Shared bits of the track bench: paths, knobs, the waybill numbering, the WeChat signature.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/track/../../). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Outside git (listed in .gitignore): generated databases and URL files. */
export const CACHE_DIR = join(ROOT, '.bench-cache');
export const CARRIER = 'default';
export const TIME_ZONE = 'Asia/Shanghai';
export const EVENTS_PER_WAYBILL = 8;
/** Bump when the generated data changes shape: old caches are then ignored. */
export const GEN_VERSION = 1;

/** A positive integer from the environment, or the default. */
export function envInt(name, fallback, min = 1) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw new Error(`${name}=${raw}: expected an integer >= ${min}`);
  }
  return n;
}

export const dbPathFor = (waybills) => join(CACHE_DIR, `track-v${GEN_VERSION}-${waybills}.db`);
export const markerPathFor = (waybills) => dbPathFor(waybills) + '.complete.json';

// Waybill i (0-based) -> `YT` + 13 digits. An affine map modulo 10^13 with a multiplier coprime to
// 10 is a bijection, so numbers are distinct, look scattered, and need no lookup table: the URL
// generator recomputes them instead of reading a million rows back. A * i stays below 2^53.
const MOD = 10_000_000_000_000;
const MUL = 3_000_000_019;
const ADD = 1_234_567_890_123;
export function waybillOf(i) {
  return 'YT' + String((i * MUL + ADD) % MOD).padStart(13, '0');
}

/** WeChat's query signature: sha1 of the three strings sorted and joined, lowercase hex. */
export function sign(token, timestamp, nonce) {
  return createHash('sha1').update([token, timestamp, nonce].sort().join('')).digest('hex');
}

/** Deterministic PRNG (mulberry32), so a given size always generates the same data. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
export const fmtBytes = (n) =>
  n >= 1 << 30
    ? (n / (1 << 30)).toFixed(2) + ' GiB'
    : n >= 1 << 20
      ? (n / (1 << 20)).toFixed(1) + ' MiB'
      : n >= 1024
        ? (n / 1024).toFixed(1) + ' KiB'
        : n + ' B';
