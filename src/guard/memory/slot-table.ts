/**
 * @module
 * The memory guard's table: 16 bytes per slot in one preallocated Uint32Array, which the garbage
 * collector never walks (kept as objects in a Map, entries made the collector the largest cost of
 * a query).
 *
 * Open addressing with linear probing, kept in Robin Hood order (along a run, entries sit in the
 * order of their home slots), so:
 *
 * - a slot stores its distance from home, which makes the home index part of the key for free
 *   (two signatures match only if they share the home slot AND the stored fingerprint);
 * - a lookup stops as soon as it meets an entry nearer its home than the probe would be;
 * - an expired entry is deleted by shifting the rest of its run back one slot (no tombstones),
 *   so a table that churns forever never silts up.
 *
 * Slot layout, four 32-bit words:
 *
 *     w0  signature fingerprint, bits 0–31
 *     w1  binding hash, bits 0–31
 *     w2  binding hash, bits 32–55 (high 24 bits) | signature fingerprint, bits 32–39 (low 8)
 *     w3  expiry second mod 2^20 (high 20 bits)   | distance from home + 1 (low 12 bits; 0 = empty)
 *
 * The expiry wraps every 2^20 s (12.1 days). An entry is live while `0 < (expiry − now) mod 2^20
 * ≤ LEDGER_HORIZON_SECONDS` (~3 days); an expired entry would read as live again only ~9 days
 * after expiring, and the guard visits every slot at least every 2 × 3 days (see memory-guard.ts).
 */
import { LEDGER_HORIZON_SECONDS } from '../expiry-ledger.js';

export const SLOT_BYTES = 16;
const EXP_MASK = 0xfffff;
const DIST_MASK = 0xfff;
/** Longest probe distance a slot can record (stored as distance + 1). */
const DIST_MAX = DIST_MASK;

/** The 20-bit wrapped form of an expiry or current second. */
export const wrapSecond = (sec: number): number => sec % (EXP_MASK + 1);

/**
 * Writes one word per 4 KiB page, so the kernel maps every page of the table now. The array's
 * memory comes zeroed from the kernel lazily: each page's first touch is a page fault that clears
 * it. Left to the query path, that was a fault or two per new signature (a random slot of a table
 * of hundreds of MiB), about a third of the gateway's system time and 15 % of its CPU on the
 * bench for the first minute of a server's life (perf: clear_page_erms under checkSync). Paid
 * here, it is about 1 µs per page once, and the table's resident size is its full size from the
 * start, as it would be after a minute of traffic anyway.
 */
function prefault(words: Uint32Array): void {
  for (let i = 0; i < words.length; i += 1024) words[i] = 0;
}

export class SlotTable {
  readonly slots: number;
  readonly words: Uint32Array;
  /** Occupied slots, live or not yet reclaimed. */
  count = 0;
  #cursor = 0;

  constructor(slots: number) {
    if (!Number.isInteger(slots) || slots < 2 || slots > 2 ** 28) throw new RangeError('bad slot count');
    this.slots = slots;
    this.words = new Uint32Array(slots * 4);
    prefault(this.words);
  }

  /** Maps a uniform 32-bit hash onto [0, slots): floor(h × slots / 2^32), exactly. */
  home(h: number): number {
    const hi = h >>> 16;
    const lo = h & 0xffff;
    return Math.floor((hi * this.slots + Math.floor((lo * this.slots) / 65536)) / 65536);
  }

  /** The slot holding fingerprint (f0, f1) from `home`, or -1. */
  find(home: number, f0: number, f1: number): number {
    const w = this.words;
    let i = home;
    for (let d = 1; d <= DIST_MAX; d++) {
      const o = i * 4;
      const sd = w[o + 3]! & DIST_MASK;
      if (sd < d) return -1; // empty, or an entry nearer its home: ours would have been before it
      if (sd === d && w[o] === f0 && (w[o + 2]! & 0xff) === f1) return i;
      i = i + 1 === this.slots ? 0 : i + 1;
    }
    return -1;
  }

  /** Whether the entry in `slot` is still inside its window at wrapped second `now20`. */
  isLive(slot: number, now20: number): boolean {
    const d = ((this.words[slot * 4 + 3]! >>> 12) - now20) & EXP_MASK;
    return d >= 1 && d <= LEDGER_HORIZON_SECONDS;
  }

  /** Whether `slot` holds binding hash (b0, b1). */
  holds(slot: number, b0: number, b1: number): boolean {
    const o = slot * 4;
    return this.words[o + 1] === b0 && this.words[o + 2]! >>> 8 === b1;
  }

  /** Gives an existing entry a new binding and expiry (the same signature, recorded afresh). */
  rewrite(slot: number, b0: number, b1: number, exp20: number): void {
    const o = slot * 4;
    const w = this.words;
    w[o + 1] = b0;
    w[o + 2] = ((b1 << 8) | (w[o + 2]! & 0xff)) >>> 0;
    w[o + 3] = ((exp20 << 12) | (w[o + 3]! & DIST_MASK)) >>> 0;
  }

  /**
   * Inserts a new entry (the caller found none for this fingerprint). Returns false, changing
   * nothing, if the run is so long a distance would overflow (never seen below 90 % load).
   */
  insert(home: number, f0: number, f1: number, b0: number, b1: number, exp20: number): boolean {
    const w = this.words;
    // Every entry from the insertion point to the run's end moves one slot on: check first.
    let i = home;
    for (let n = 1; ; n++) {
      const sd = w[i * 4 + 3]! & DIST_MASK;
      if (sd === 0) break;
      if (sd + 1 > DIST_MAX || n + 1 > DIST_MAX || n >= this.slots) return false;
      i = i + 1 === this.slots ? 0 : i + 1;
    }
    let c0 = f0;
    let c1 = b0;
    let c2 = ((b1 << 8) | f1) >>> 0;
    let cExp = exp20;
    let d = 1;
    i = home;
    for (;;) {
      const o = i * 4;
      const sd = w[o + 3]! & DIST_MASK;
      if (sd === 0) {
        w[o] = c0;
        w[o + 1] = c1;
        w[o + 2] = c2;
        w[o + 3] = ((cExp << 12) | d) >>> 0;
        this.count++;
        return true;
      }
      if (sd < d) {
        // Robin Hood: the carried entry is further from home; it takes the slot.
        const r0 = w[o]!;
        const r1 = w[o + 1]!;
        const r2 = w[o + 2]!;
        const rExp = w[o + 3]! >>> 12;
        w[o] = c0;
        w[o + 1] = c1;
        w[o + 2] = c2;
        w[o + 3] = ((cExp << 12) | d) >>> 0;
        c0 = r0;
        c1 = r1;
        c2 = r2;
        cExp = rExp;
        d = sd;
      }
      i = i + 1 === this.slots ? 0 : i + 1;
      d++;
    }
  }

  /** Deletes the entry in `slot`, shifting the rest of its run back (no tombstone). */
  #delete(slot: number): void {
    const w = this.words;
    let j = slot;
    for (;;) {
      const n = j + 1 === this.slots ? 0 : j + 1;
      const sd = w[n * 4 + 3]! & DIST_MASK;
      if (sd <= 1) break; // empty, or at its home: the run ends here
      w[j * 4] = w[n * 4]!;
      w[j * 4 + 1] = w[n * 4 + 1]!;
      w[j * 4 + 2] = w[n * 4 + 2]!;
      w[j * 4 + 3] = w[n * 4 + 3]! - 1;
      j = n;
    }
    w.fill(0, j * 4, j * 4 + 4);
    this.count--;
  }

  /**
   * Visits the next `n` slots (round robin) and deletes the expired entries found; returns how
   * many it deleted.
   */
  sweep(n: number, now20: number): number {
    const w = this.words;
    let reclaimed = 0;
    for (let k = 0; k < n; k++) {
      const i = this.#cursor;
      while ((w[i * 4 + 3]! & DIST_MASK) !== 0 && !this.isLive(i, now20)) {
        this.#delete(i);
        reclaimed++;
      }
      this.#cursor = i + 1 === this.slots ? 0 : i + 1;
    }
    return reclaimed;
  }

  /** Longest distance from home of any entry: a health figure for tests and benchmarks. */
  maxDistance(): number {
    let max = 0;
    for (let i = 0; i < this.slots; i++) max = Math.max(max, this.words[i * 4 + 3]! & DIST_MASK);
    return Math.max(0, max - 1);
  }

  /** Empties the table. */
  clear(): void {
    this.words.fill(0);
    this.count = 0;
  }
}
