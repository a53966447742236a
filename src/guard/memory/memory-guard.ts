/**
 * @module
 * In-process replay guard that covers its whole window: it never forgets a signature before the
 * signature's timestamp has left the window. Good for one gateway process; several processes
 * serving the same token need a shared guard (redis/).
 *
 * Capacity, not luck. `maxEntries` is the number of live entries guaranteed (see
 * guard-capacity.ts: maxRate × (2 × window + 1 s)). When a new signature arrives and that many
 * entries are live, the guard answers `full` and the gateway refuses the query (50001): fail
 * closed, counted in `stats().refusals`, and announced through `onPressure` (at 80 % of capacity,
 * then on refusals), so an operator sees it coming. It never drops a live entry to make room.
 *
 * Compact. Entries live in one preallocated table of 16-byte slots (slot-table.ts), sized at
 * `maxEntries / 0.8` slots: 20 bytes per guaranteed entry, outside the garbage-collected heap. A
 * slot keeps no signature or binding, only keyed hashes of them:
 *
 * - the signature → a 32-bit home slot and a 40-bit fingerprint, by a keyed mix of its 160 bits.
 *   Only verified signatures reach the guard: SHA-1 outputs no caller can steer, mixed with a
 *   per-process secret so nobody can aim entries at one run of slots. A false match needs the
 *   same home and fingerprint: at most ~0.8 × 2^-40 ≈ 7 × 10^-13 per check, i.e. one a year at
 *   30,000 q/s on a full table. It shows as a `conflict` (40003): the user retries, with a fresh
 *   signature;
 * - the binding (orderid, openid, carrier) → 56 bits of HMAC-SHA256 under a per-process secret.
 *   Bindings are chosen freely, so this is the hash a replayer attacks: each try passes with
 *   probability 2^-56 ≈ 1.4 × 10^-17; a year of tries at 30,000 q/s, 1.3 × 10^-5;
 * - the expiry, in whole seconds rounded up: an entry may outlive `expiresAt` by under a second
 *   (the gateway's expiresAt are whole seconds, so in practice never), never the other way.
 *
 * Expired entries are reclaimed by a sweep that visits 8 slots per check plus enough per second
 * of clock to pass every slot every 3 days (the expiry wraps; see slot-table.ts), and by a full
 * sweep if occupied slots ever reach 90 %. `stats()` counts live entries exactly (expiry-ledger.ts).
 */
import { createHmac, randomBytes, randomFillSync } from 'node:crypto';
import type { Clock } from '../../clock/clock.js';
import { ExpiryLedger, LEDGER_HORIZON_SECONDS } from '../expiry-ledger.js';
import type { GuardStats, ReplayGuard, ReplayVerdict } from '../replay-guard.js';
import { SLOT_BYTES, SlotTable, wrapSecond } from './slot-table.js';

/** Why the guard calls `onPressure`. */
export interface GuardPressure {
  /** `high`: live entries reached 80 % of capacity. `full`: a check was refused for room. */
  readonly kind: 'high' | 'full';
  readonly stats: GuardStats;
}

export interface MemoryGuardOptions {
  /** Source of "now", to tell expired entries. */
  readonly clock: Clock;
  /**
   * Live entries guaranteed: past this, new signatures are refused (`full`). Size it with
   * guardCapacity({ windowSeconds, maxRate }). Costs 20 bytes each, allocated up front.
   */
  readonly maxEntries: number;
  /** Told when the guard nears or reaches capacity (to log it); at most once a minute per kind
   *  while it lasts. */
  readonly onPressure?: (event: GuardPressure) => void;
}

/** Guaranteed entries per slot. */
const LOAD = 0.8;
/** Occupied slots (live + not yet reclaimed) that trigger a full sweep. */
const SWEEP_LOAD = 0.9;
/** Slots visited per check. */
const SWEEP_PER_CHECK = 8;
/** Every slot is visited at least once per this many seconds of clock. */
const SWEEP_PERIOD_SECONDS = LEDGER_HORIZON_SECONDS;
const HIGH = 0.8;
const PRESSURE_EVERY_MS = 60_000;

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

/** Eight lowercase hex digits at `at` as an unsigned 32-bit word (the shape was checked upstream). */
function hexWord(text: string, at: number): number {
  let w = 0;
  for (let i = at; i < at + 8; i++) w = (w << 4) | HEX[text.charCodeAt(i) & 127]!;
  return w >>> 0;
}

/** Murmur3's finaliser: every input bit reaches every output bit. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export class MemoryReplayGuard implements ReplayGuard {
  readonly #clock: Clock;
  readonly #capacity: number;
  readonly #table: SlotTable;
  readonly #ledger: ExpiryLedger;
  readonly #sweepLimit: number;
  readonly #onPressure: ((event: GuardPressure) => void) | undefined;
  readonly #secret = randomBytes(32);
  /** Keys of the signature mix: three lanes × five words. */
  readonly #mixKey = randomFillSync(new Uint32Array(15));
  #lastSweepSec: number;
  #refusals = 0;
  #expiredEvictions = 0;
  #highArmed = true;
  #lastPressure = { high: -Infinity, full: -Infinity };

  constructor(options: MemoryGuardOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1 || options.maxEntries > 2e8) {
      throw new RangeError('maxEntries must be an integer from 1 to 200,000,000');
    }
    this.#clock = options.clock;
    this.#capacity = options.maxEntries;
    this.#onPressure = options.onPressure;
    const slots = Math.max(16, Math.ceil(options.maxEntries / LOAD) + 1);
    this.#table = new SlotTable(slots);
    this.#sweepLimit = Math.max(options.maxEntries + 1, Math.floor(slots * SWEEP_LOAD));
    const now = this.#clock.now();
    this.#ledger = new ExpiryLedger(now);
    this.#lastSweepSec = Math.floor(now / 1000);
  }

  check(signature: string, binding: string, expiresAt: number): Promise<ReplayVerdict> {
    return Promise.resolve(this.checkSync(signature, binding, expiresAt));
  }

  /** The same as {@link check}, without the promise. */
  checkSync(signature: string, binding: string, expiresAt: number): ReplayVerdict {
    const now = this.#clock.now();
    const nowSec = Math.floor(now / 1000);
    const now20 = wrapSecond(nowSec);
    const table = this.#table;
    this.#ledger.advance(now);
    this.#sweep(nowSec, now20);

    const [home, f0, f1] = this.#mix(signature);
    const digest = createHmac('sha256', this.#secret).update(binding).digest();
    const b0 = digest.readUInt32LE(0);
    const b1 = digest.readUInt32LE(4) & 0xffffff;

    const slot = table.find(home, f0, f1);
    if (slot >= 0 && table.isLive(slot, now20)) return table.holds(slot, b0, b1) ? 'repeat' : 'conflict';

    const expSec = Math.ceil(expiresAt / 1000);
    if (expSec <= nowSec) return 'first'; // out of the window already: nothing to remember
    if (expSec - nowSec > LEDGER_HORIZON_SECONDS) {
      throw new RangeError(`replay guard entries live at most ${LEDGER_HORIZON_SECONDS} s`);
    }
    if (this.#ledger.live >= this.#capacity) return this.#refuse(now);
    if (slot >= 0) {
      table.rewrite(slot, b0, b1, wrapSecond(expSec)); // the signature's old entry had expired
      this.#expiredEvictions++;
    } else {
      if (table.count >= this.#sweepLimit) this.#expiredEvictions += table.sweep(table.slots, now20);
      const placed = table.count < this.#sweepLimit && table.insert(home, f0, f1, b0, b1, wrapSecond(expSec));
      if (!placed) return this.#refuse(now);
    }
    this.#ledger.add(expSec);
    this.#watch(now);
    return 'first';
  }

  stats(): GuardStats {
    this.#ledger.advance(this.#clock.now());
    return {
      entries: this.#ledger.live,
      capacity: this.#capacity,
      highWater: this.#ledger.highWater,
      refusals: this.#refusals,
      expiredEvictions: this.#expiredEvictions,
    };
  }

  /** Bytes preallocated for entries (the table; the expiry ledger adds a fixed 1 MiB). */
  get tableBytes(): number {
    return this.#table.slots * SLOT_BYTES;
  }

  /** Occupied slots, expired ones included until swept. */
  get occupiedSlots(): number {
    return this.#table.count;
  }

  close(): Promise<void> {
    this.#table.clear();
    return Promise.resolve();
  }

  /** Home slot and 40-bit fingerprint of a signature: three keyed lanes over its five words. */
  #mix(signature: string): [number, number, number] {
    const k = this.#mixKey;
    let a = k[0]!;
    let b = k[1]!;
    let c = k[2]!;
    for (let i = 0; i < 5; i++) {
      const word = hexWord(signature, i * 8);
      a = Math.imul(a ^ word ^ k[3 + i]!, 0x9e3779b1);
      b = Math.imul(b ^ word ^ k[8 + i]!, 0x85ebca77);
      c = Math.imul(c ^ word ^ (k[13 + (i % 2)]! + i), 0xc2b2ae3d);
      a ^= a >>> 15;
      b ^= b >>> 13;
      c ^= c >>> 16;
    }
    return [this.#table.home(fmix(a)), fmix(b), fmix(c) & 0xff];
  }

  /** The per-check sweep, plus what the clock's progress requires. */
  #sweep(nowSec: number, now20: number): void {
    let n = SWEEP_PER_CHECK;
    const elapsed = nowSec - this.#lastSweepSec;
    if (elapsed > 0) {
      n += Math.ceil((elapsed * this.#table.slots) / SWEEP_PERIOD_SECONDS);
      this.#lastSweepSec = nowSec;
    }
    this.#expiredEvictions += this.#table.sweep(Math.min(n, this.#table.slots), now20);
  }

  #refuse(now: number): ReplayVerdict {
    this.#refusals++;
    this.#tell('full', now);
    return 'full';
  }

  #watch(now: number): void {
    const live = this.#ledger.live;
    if (this.#highArmed && live >= this.#capacity * HIGH) {
      this.#highArmed = false;
      this.#tell('high', now);
    } else if (!this.#highArmed && live < this.#capacity * (HIGH - 0.1)) {
      this.#highArmed = true;
    }
  }

  #tell(kind: GuardPressure['kind'], now: number): void {
    if (!this.#onPressure || now - this.#lastPressure[kind] < PRESSURE_EVERY_MS) return;
    this.#lastPressure[kind] = now;
    this.#onPressure({ kind, stats: this.stats() });
  }
}
