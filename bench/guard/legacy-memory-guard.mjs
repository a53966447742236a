// The memory replay guard as it was before it covered its whole window (two half tables, the
// older wiped when the newer filled), kept only so bench/guard/run.mjs can compare its cost and
// memory with the current one. Not used by the gateway.
import { createHash, randomBytes } from 'node:crypto';

const SIG_WORDS = 5;
const WORDS = SIG_WORDS + 2;
const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

function hexWord(text, at) {
  let w = 0;
  for (let i = at; i < at + 8; i++) w = (w << 4) | HEX[text.charCodeAt(i) & 127];
  return w >>> 0;
}

class Table {
  constructor(capacity) {
    this.words = new Uint32Array(capacity * WORDS);
    this.expires = new Float64Array(capacity);
    this.mask = capacity - 1;
    this.count = 0;
  }
  find(sig) {
    let i = sig[0] & this.mask;
    for (;;) {
      if (this.expires[i] === 0) return ~i;
      const o = i * WORDS;
      const w = this.words;
      if (
        w[o] === sig[0] &&
        w[o + 1] === sig[1] &&
        w[o + 2] === sig[2] &&
        w[o + 3] === sig[3] &&
        w[o + 4] === sig[4]
      ) {
        return i;
      }
      i = (i + 1) & this.mask;
    }
  }
  write(slot, sig, b0, b1, expiresAt) {
    const o = slot * WORDS;
    this.words.set(sig, o);
    this.words[o + SIG_WORDS] = b0;
    this.words[o + SIG_WORDS + 1] = b1;
    this.expires[slot] = expiresAt;
  }
  wipe(now) {
    let live = 0;
    for (let i = 0; i < this.expires.length; i++) if (this.expires[i] > now) live++;
    this.words.fill(0);
    this.expires.fill(0);
    this.count = 0;
    return live;
  }
}

export class LegacyMemoryReplayGuard {
  #secret = randomBytes(16);
  #sig = new Uint32Array(SIG_WORDS);
  evictions = 0;
  constructor({ clock, maxEntries }) {
    this.clock = clock;
    this.perTable = Math.max(1, Math.floor(maxEntries / 2));
    let capacity = 2;
    while (capacity < this.perTable * 2) capacity *= 2;
    this.current = new Table(capacity);
    this.previous = new Table(capacity);
  }
  get tableBytes() {
    return 2 * (this.current.words.byteLength + this.current.expires.byteLength);
  }
  checkSync(signature, binding, expiresAt) {
    const now = this.clock.now();
    const sig = this.#sig;
    for (let k = 0; k < SIG_WORDS; k++) sig[k] = hexWord(signature, k * 8);
    const digest = createHash('sha1').update(this.#secret).update(binding).digest();
    const b0 = digest.readUInt32LE(0);
    const b1 = digest.readUInt32LE(4);
    for (let t = 0; t < 2; t++) {
      const table = t === 0 ? this.current : this.previous;
      const slot = table.find(sig);
      if (slot < 0) continue;
      if (table.expires[slot] > now) {
        const o = slot * WORDS + SIG_WORDS;
        return table.words[o] === b0 && table.words[o + 1] === b1 ? 'repeat' : 'conflict';
      }
      table.write(slot, sig, b0, b1, expiresAt);
      return 'first';
    }
    if (this.current.count >= this.perTable) {
      this.evictions += this.previous.wipe(now);
      [this.current, this.previous] = [this.previous, this.current];
    }
    this.current.write(~this.current.find(sig), sig, b0, b1, expiresAt);
    this.current.count++;
    return 'first';
  }
}
