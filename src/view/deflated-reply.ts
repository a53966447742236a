/**
 * @module
 * A reply stored compressed once and sent as `Content-Encoding: gzip` without compressing it
 * again per query.
 *
 * Why: a reply is about 1,464 bytes of JSON and deflates to about a third of that. Stored
 * compressed, a million replies fit in a few hundred MiB, which stays in the page cache where the
 * 4 GiB SQLite file did not; and WeChat's page loads the reply with a `<script>` tag, whose
 * request carries `Accept-Encoding: gzip`, so the compressed bytes can go to the socket as they
 * are.
 *
 * The JSONP body is `callback(` + json + `)`, and the callback is the client's (from an allowed
 * list). So the stored form is the JSON alone, as a raw DEFLATE stream (RFC 1951) that ends on a
 * byte boundary without a final block (a sync flush). A gzip member (RFC 1952) is then spliced
 * together per query: the 10-byte header, the callback's own sync-flushed DEFLATE blocks, the
 * stored blocks, a final block holding `)`, and the trailer (CRC-32 and length of the whole
 * body). One member, not three concatenated gzip members: Chromium ignores the bytes after a gzip
 * member's trailer.
 *
 * The trailer is stored, not computed per query: the value keeps the CRC-32 of the whole body for
 * the spec's callback (`WxOrderCb`, the one WeChat sends), so that callback costs no arithmetic.
 * Another allowed callback combines CRC-32s (zlib's crc32_combine, ported below), as every query
 * did before: 3.6–4.3 µs per query on the bench machine, against a read of four bytes.
 *
 * Every value carries a CRC-32 of itself, checked before it is sent ({@link isIntactReply}):
 * one bit flipped in a view file (the disk, a torn write, a bug) would otherwise reach the client
 * as a gzip body whose trailer does not match, which a browser runs anyway or drops, never as a
 * clear failure. A value that fails the check is not a reply: its source drops it and renders the
 * waybill again. The check costs about 1 µs per query on the bench machine (zlib's crc32 over
 * ~500 bytes); a value written in an older layout fails it too, and is rendered again once.
 *
 * Layout of a stored value (all uint32 LE):
 *
 *     0   CRC-32 of bytes 4.. (the check)
 *     4   CRC-32 of the JSON
 *     8   length of the JSON
 *    12   CRC-32 of `WxOrderCb(` + JSON + `)`: the stored gzip trailer
 *    16   the DEFLATE blocks
 */
import {
  constants,
  crc32,
  createDeflateRaw,
  deflateRawSync,
  inflateRawSync,
  type DeflateRaw,
} from 'node:zlib';

/**
 * The layout below; a view names it with its source, so a view written in another layout is
 * emptied at start (store/viewed-store.ts) rather than failing the check value by value.
 */
export const REPLY_LAYOUT = 2;

/** The callback whose gzip trailer is stored with every value: the spec's. */
export const STORED_TRAILER_CALLBACK = 'WxOrderCb';

const HEAD = 16;
/** gzip header: magic, CM=deflate, no flags, MTIME 0, XFL 0, OS 255 (unknown). */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
const SYNC = { finishFlush: constants.Z_SYNC_FLUSH } as const;
const CLOSER = Buffer.from(')');
/** `)` as the stream's final DEFLATE block. */
const CLOSER_FINAL = deflateRawSync(CLOSER);
const CLOSER_CRC = crc32(CLOSER);
const TRAILER_OPENER = Buffer.from(STORED_TRAILER_CALLBACK + '(');
const TRAILER_OPENER_CRC = crc32(TRAILER_OPENER);

/** zlib's settings of the stored form; see {@link deflateReply}. */
const DEFLATE_OPTIONS = { level: 9, windowBits: 11, memLevel: 8 } as const;

/**
 * Compresses a reply's JSON into the stored form. Level 9: paid once per reply, not per query. A
 * 2 KiB window (windowBits 11) holds a typical reply whole.
 *
 * One zlib engine is kept for the process and every reply is compressed with a full flush
 * ({@link KeptDeflater}), instead of `deflateRawSync`, which builds a zlib stream object, sets up
 * zlib's state (about 130 KiB, zeroed) and tears it down per call. The level hardly matters on
 * ~1.5 KB inputs (levels 1 to 9 and even Huffman-only cost within 15 % of each other on the
 * bench machine): the set-up was the cost. Measured over 400 bench replies, process CPU per call
 * on the shared 2-core machine (load average 10): 38.7 µs with `deflateRawSync`, 27.9 µs with
 * the kept engine; the bytes are identical (deflated-reply.test.ts checks it).
 */
export function deflateReply(json: Buffer): Buffer {
  const blocks = kept.deflate(json);
  const out = Buffer.allocUnsafe(HEAD + blocks.length);
  const jsonCrc = crc32(json);
  out.writeUInt32LE(jsonCrc, 4);
  out.writeUInt32LE(json.length, 8);
  out.writeUInt32LE(crc32Combine(crc32Combine(TRAILER_OPENER_CRC, jsonCrc, json.length), CLOSER_CRC, 1), 12);
  blocks.copy(out, HEAD);
  out.writeUInt32LE(crc32(out.subarray(4)), 0);
  return out;
}

/** What node:zlib's stream keeps inside: its native handle and the handle's result slots. */
interface ZlibInternals {
  readonly _handle?: {
    writeSync?(
      flush: number,
      input: Buffer,
      inOff: number,
      inLen: number,
      output: Buffer,
      outOff: number,
      outLen: number,
    ): void;
  } | null;
  /** [avail_out, avail_in] after the last write. */
  readonly _writeState?: Uint32Array;
}

/**
 * A raw DEFLATE engine kept open, each input compressed and ended with `Z_FULL_FLUSH`: the output
 * of one call is a run of DEFLATE blocks that ends on a byte boundary without a final block, and
 * refers to nothing before it (a full flush clears zlib's match history), byte for byte what
 * `deflateRawSync(input, { finishFlush: Z_SYNC_FLUSH })` gives with the same settings.
 *
 * It writes through the stream's native handle synchronously, as node:zlib's own `*Sync`
 * functions do, but without closing it. Those are node:zlib internals (stable since Node 10): if
 * they are missing or a write fails, it falls back to `deflateRawSync` for good, so a Node
 * release that changes them costs speed, never a wrong reply.
 */
export class KeptDeflater {
  #engine: ZlibInternals | undefined;
  #scratch = Buffer.allocUnsafe(16 * 1024);

  /** `stream`: the engine to keep (tests hand in one to break); a new one with `options` by default. */
  constructor(
    readonly options: { level: number; windowBits: number; memLevel: number },
    stream: DeflateRaw = createDeflateRaw(options),
  ) {
    // A zlib error destroys the stream, which then emits 'error': seen by the check after each
    // write below, it must not reach the process as an unhandled 'error' event.
    stream.on('error', () => {});
    const engine = stream as unknown as ZlibInternals;
    if (typeof engine._handle?.writeSync === 'function' && engine._writeState instanceof Uint32Array)
      this.#engine = engine;
  }

  deflate(input: Buffer): Buffer {
    const engine = this.#engine;
    // Nothing to flush: zlib would write nothing, where the one-shot form is an empty block.
    if (engine !== undefined && input.length > 0) {
      try {
        return this.#kept(engine, input);
      } catch {
        this.#engine = undefined; // its state is unknown now: never use it again
      }
    }
    return deflateRawSync(input, { ...this.options, finishFlush: constants.Z_SYNC_FLUSH });
  }

  #kept(engine: ZlibInternals, input: Buffer): Buffer {
    const handle = engine._handle!;
    const state = engine._writeState!;
    let inOff = 0;
    let inLen = input.length;
    let outOff = 0;
    for (;;) {
      const outLen = this.#scratch.length - outOff;
      handle.writeSync!(constants.Z_FULL_FLUSH, input, inOff, inLen, this.#scratch, outOff, outLen);
      if (engine._handle !== handle) throw new Error('zlib failed');
      const outLeft = state[0]!;
      const inLeft = state[1]!;
      outOff += outLen - outLeft;
      inOff += inLen - inLeft;
      inLen = inLeft;
      // zlib is done with a flush once it left room in the output.
      if (outLeft !== 0) break;
      const bigger = Buffer.allocUnsafe(this.#scratch.length * 2);
      this.#scratch.copy(bigger, 0, 0, outOff);
      this.#scratch = bigger;
    }
    if (inLen !== 0) throw new Error('deflate left input unread');
    return Buffer.from(this.#scratch.subarray(0, outOff));
  }
}

const kept = new KeptDeflater(DEFLATE_OPTIONS);

/**
 * Whether a stored value is exactly as {@link deflateReply} wrote it (its own CRC-32 matches).
 * A source must check before handing the value out, and on `false` drop it and render again:
 * it is not a reply.
 */
export function isIntactReply(stored: Buffer): boolean {
  return stored.length > HEAD && crc32(stored.subarray(4)) === stored.readUInt32LE(0);
}

/** Thrown by a source that found a damaged value and could not render the waybill again. */
export class DamagedReplyError extends Error {
  constructor(
    readonly carrier: string,
    readonly waybill: string,
  ) {
    super('stored reply failed its check');
    this.name = 'DamagedReplyError';
  }
}

/** The JSON of a stored reply, for a client that does not accept gzip. */
export function inflateReply(stored: Buffer): Buffer {
  return inflateRawSync(stored.subarray(HEAD), SYNC);
}

/** The callback's half of the splice, computed once per allowed callback. */
export interface JsonpOpener {
  readonly plain: Buffer;
  readonly blocks: Buffer;
  readonly crc: number;
  /** The callback is {@link STORED_TRAILER_CALLBACK}: the value's trailer is the body's. */
  readonly storedTrailer: boolean;
}

export function jsonpOpener(callback: string): JsonpOpener {
  const plain = Buffer.from(callback + '(');
  return {
    plain,
    blocks: deflateRawSync(plain, SYNC),
    crc: crc32(plain),
    storedTrailer: callback === STORED_TRAILER_CALLBACK,
  };
}

/**
 * `callback(json)` as one gzip member, from an intact stored reply, without decompressing it.
 * One allocation: the header, the opener's blocks, the stored blocks, `)` and the trailer.
 */
export function gzipJsonp(opener: JsonpOpener, stored: Buffer): Buffer {
  const jsonLen = stored.readUInt32LE(8);
  const crc = opener.storedTrailer
    ? stored.readUInt32LE(12)
    : crc32Combine(crc32Combine(opener.crc, stored.readUInt32LE(4), jsonLen), CLOSER_CRC, 1);
  const size = opener.plain.length + jsonLen + 1;
  const blocksLen = stored.length - HEAD;
  const out = Buffer.allocUnsafe(
    GZIP_HEADER.length + opener.blocks.length + blocksLen + CLOSER_FINAL.length + 8,
  );
  let at = GZIP_HEADER.copy(out, 0);
  at += opener.blocks.copy(out, at);
  at += stored.copy(out, at, HEAD);
  at += CLOSER_FINAL.copy(out, at);
  out.writeUInt32LE(crc, at);
  out.writeUInt32LE(size >>> 0, at + 4);
  return out;
}

/** `callback(json)` uncompressed, from the stored reply. */
export function plainJsonp(opener: JsonpOpener, stored: Buffer): Buffer {
  return Buffer.concat([opener.plain, inflateReply(stored), CLOSER]);
}

// ---------------------------------------------------------------- CRC-32 combination
// A port of zlib 1.2.12's crc32_combine: the CRC of A‖B from crc(A), crc(B) and B's length, by
// multiplying crc(A) by x^(8·len(B)) modulo the CRC polynomial (reflected, 0xedb88320).

const POLY = 0xedb88320;

/** a·b modulo p(x), reflected bit order. */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if ((a & m) !== 0) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) modulo p(x). */
const X2N: number[] = [];
{
  let p = 1 << 30; // x^1
  X2N.push(p);
  for (let n = 1; n < 32; n++) X2N.push((p = multModP(p, p)));
}

/** x^(n·2^k) modulo p(x). */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000; // x^0
  while (n) {
    if (n & 1) p = multModP(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** CRC-32 of A‖B, given crc(A), crc(B) and the length of B in bytes. */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA) ^ crcB) >>> 0;
}
