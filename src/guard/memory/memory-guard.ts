/**
 * @module
 * In-process replay guard: a bounded map whose entries expire. Good for one gateway process; use
 * the Redis guard when several processes serve the same token.
 */
import type { Clock } from '../../clock/clock.js';
import type { ReplayGuard, ReplayVerdict } from '../replay-guard.js';

export interface MemoryGuardOptions {
  /** Source of "now", to drop expired entries. */
  readonly clock: Clock;
  /**
   * Most entries held at once. Past it, the oldest entry is dropped to make room, and
   * `evictions` counts it. Size it above peak queries/s × (2 × the timestamp window) to keep
   * full protection: each entry costs roughly 200 bytes.
   */
  readonly maxEntries: number;
}

interface Entry {
  readonly binding: string;
  readonly expiresAt: number;
}

export class MemoryReplayGuard implements ReplayGuard {
  readonly #clock: Clock;
  readonly #max: number;
  // A Map iterates in insertion order, so its head is the oldest entry: eviction and expiry
  // sweeps both work from there in O(1) per entry.
  readonly #entries = new Map<string, Entry>();
  #evictions = 0;

  constructor(options: MemoryGuardOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
    this.#clock = options.clock;
    this.#max = options.maxEntries;
  }

  /** Entries dropped for room before they expired: a sign that maxEntries is too small. */
  get evictions(): number {
    return this.#evictions;
  }

  get size(): number {
    return this.#entries.size;
  }

  check(signature: string, binding: string, expiresAt: number): Promise<ReplayVerdict> {
    return Promise.resolve(this.checkSync(signature, binding, expiresAt));
  }

  /** The same as {@link check}, without the promise. */
  checkSync(signature: string, binding: string, expiresAt: number): ReplayVerdict {
    const now = this.#clock.now();
    const found = this.#entries.get(signature);
    if (found && found.expiresAt > now) return found.binding === binding ? 'repeat' : 'conflict';
    if (found) this.#entries.delete(signature);
    this.#sweep(now);
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
      this.#evictions++;
    }
    this.#entries.set(signature, { binding, expiresAt });
    return 'first';
  }

  /** Drops a few expired entries from the head; amortised O(1) per check. */
  #sweep(now: number): void {
    let budget = 8;
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now || budget-- === 0) break;
      this.#entries.delete(key);
    }
  }

  close(): Promise<void> {
    this.#entries.clear();
    return Promise.resolve();
  }
}
