/**
 * @module
 * A soak of a replay guard in simulated time: `rate` new signatures a second for `seconds`, every
 * one stamped a full window ahead (the protocol's worst case: each entry lives 2 × window + 1 s,
 * see guard-capacity.ts), while replaying earlier signatures that are still inside their window.
 *
 * It proves, rather than samples, the two promises of a guard sized with guardCapacity():
 * at that rate it refuses nothing, and a signature inside its window is never forgotten: every
 * replay with another binding is a `conflict`, every refresh a `repeat`. Used by the memory
 * guard's unit test (scaled down) and by `npm run bench:guard` (30,000 q/s, 300 s window).
 */
import type { ManualClock } from '../clock/clock.js';
import type { ReplayVerdict } from './replay-guard.js';

export interface SoakOptions {
  readonly check: (signature: string, binding: string, expiresAt: number) => ReplayVerdict;
  readonly clock: ManualClock;
  readonly windowSeconds: number;
  /** New signatures per simulated second. */
  readonly rate: number;
  /** Simulated seconds to run. */
  readonly seconds: number;
  /** Earlier signatures replayed (and refreshed) per simulated second. */
  readonly replaysPerSecond: number;
}

export interface SoakResult {
  readonly checks: number;
  readonly firsts: number;
  /** New signatures refused for room: 0 when the guard is sized for the rate. */
  readonly refused: number;
  /** New signatures taken for known ones (false matches). */
  readonly falseMatches: number;
  /** Replays with another binding, of signatures inside their window. */
  readonly replays: number;
  /** ... of which were not answered `conflict` (the signature was forgotten): must be 0. */
  readonly replaysMissed: number;
  /** Refreshes with the same binding that were not `repeat`: must be 0. */
  readonly refreshesLost: number;
}

/** The n-th signature: 40 hex digits, distinct for every n, spread like SHA-1 output. */
export function soakSignature(n: number): string {
  let out = '';
  for (let k = 0; k < 5; k++) {
    let h = Math.imul(n + 1, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b) ^ Math.floor(n / 2 ** 32);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    h = Math.imul(h, 0x297a2d39);
    h ^= h >>> 15;
    out += (h >>> 0).toString(16).padStart(8, '0');
  }
  return out;
}

/** Deterministic draws, so a failing soak can be rerun exactly. */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

export function soakGuard(options: SoakOptions): SoakResult {
  const { check, clock, windowSeconds: w, rate, seconds, replaysPerSecond } = options;
  const start = Math.ceil(clock.now() / 1000) * 1000;
  const random = xorshift(0x5eed);
  const binding = (n: number) => `YT${n}\nopen${n % 997}\nyto`;
  const expiresAtOf = (n: number) => (Math.floor(start / 1000) + Math.floor(n / rate) + 2 * w + 1) * 1000;
  let checks = 0;
  let firsts = 0;
  let refused = 0;
  let falseMatches = 0;
  let replays = 0;
  let replaysMissed = 0;
  let refreshesLost = 0;

  for (let s = 0; s < seconds; s++) {
    for (let j = 0; j < rate; j++) {
      const n = s * rate + j;
      clock.set(start + s * 1000 + Math.floor((j * 1000) / rate));
      // Stamped a window ahead: ts = now + w, so expiresAt = ts + w + 1 s.
      const verdict = check(soakSignature(n), binding(n), expiresAtOf(n));
      checks++;
      if (verdict === 'first') firsts++;
      else if (verdict === 'full') refused++;
      else falseMatches++;
    }
    // Replays of signatures still inside their window: issued within the last 2w + 1 seconds.
    const now = clock.now();
    const oldest = Math.max(0, (s - 2 * w) * rate);
    const newest = (s + 1) * rate - 1;
    for (let r = 0; r < replaysPerSecond; r++) {
      const n = oldest + Math.floor(random() * (newest - oldest + 1));
      if (expiresAtOf(n) <= now) throw new Error('soak picked an expired signature');
      const replay = check(soakSignature(n), binding(n + 1), expiresAtOf(n));
      const refresh = check(soakSignature(n), binding(n), expiresAtOf(n));
      checks += 2;
      replays++;
      if (replay !== 'conflict') replaysMissed++;
      if (refresh !== 'repeat') refreshesLost++;
    }
  }
  return { checks, firsts, refused, falseMatches, replays, replaysMissed, refreshesLost };
}
