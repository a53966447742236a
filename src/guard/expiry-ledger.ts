/**
 * @module
 * How many guard entries are still inside their window, exactly, at one-second resolution, in
 * constant time per operation and a fixed 1 MiB.
 *
 * The memory guard refuses a new signature only when its live entries reach capacity, so it needs
 * the live count itself, not the count of occupied slots (expired entries linger in the table until
 * a sweep reclaims them). A ring of counters indexed by expiry second does it: recording adds one
 * to the entry's second; as the clock passes a second, that second's counter leaves the total.
 *
 * An entry with expiry second `e` is live while `now < e × 1000` ms, i.e. while `floor(now/1000) <
 * e`. Entries may live at most {@link LEDGER_HORIZON_SECONDS}; the gateway's longest is
 * 2 × windowSeconds + 1 s (a timestamp up to a window ahead), at most 172,801 s for the largest
 * window the config allows.
 */

/** Ring length, seconds (a power of two). */
const RING = 1 << 18;

/** Longest lifetime an entry may have, in whole seconds (~3 days). */
export const LEDGER_HORIZON_SECONDS = RING - 2;

export class ExpiryLedger {
  readonly #ring = new Uint32Array(RING);
  /** Last whole second the ledger has retired (everything with expiry ≤ it has left the total). */
  #last: number;
  #live = 0;
  #highWater = 0;

  constructor(nowMs: number) {
    this.#last = Math.floor(nowMs / 1000);
  }

  /** Retires every second up to `floor(nowMs / 1000)`. Time that steps back is ignored. */
  advance(nowMs: number): void {
    const nowSec = Math.floor(nowMs / 1000);
    if (nowSec <= this.#last) return;
    if (nowSec - this.#last >= RING) {
      this.#ring.fill(0);
      this.#live = 0;
    } else {
      for (let s = this.#last + 1; s <= nowSec; s++) {
        const i = s % RING;
        this.#live -= this.#ring[i]!;
        this.#ring[i] = 0;
      }
    }
    this.#last = nowSec;
  }

  /**
   * Counts one live entry expiring at second `expSec`. The caller has advanced the ledger and
   * checked `last < expSec ≤ last + LEDGER_HORIZON_SECONDS`.
   */
  add(expSec: number): void {
    this.#ring[expSec % RING]!++;
    if (++this.#live > this.#highWater) this.#highWater = this.#live;
  }

  /** Whether an entry expiring at `expSec` may be recorded now (live, and within the horizon). */
  accepts(expSec: number): boolean {
    return expSec > this.#last && expSec - this.#last <= LEDGER_HORIZON_SECONDS;
  }

  /** Live entries. */
  get live(): number {
    return this.#live;
  }

  /** Most live entries at once since start. */
  get highWater(): number {
    return this.#highWater;
  }
}
