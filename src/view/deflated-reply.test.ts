import { randomBytes } from 'node:crypto';
import { constants, crc32, createDeflateRaw, deflateRawSync, gunzipSync, inflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  crc32Combine,
  deflateReply,
  gzipJsonp,
  inflateReply,
  isIntactReply,
  jsonpOpener,
  KeptDeflater,
  plainJsonp,
} from './deflated-reply.js';

const reply = (n: number) =>
  Buffer.from(
    JSON.stringify({
      err_code: 0,
      err_msg: 'ok',
      traces: Array.from({ length: n }, (_, i) => ({
        accept_time: `2026-07-0${i % 9} 11:00`,
        remark: '快件已到达【贵阳转运中心】',
      })),
    }),
  );

const SETTINGS = { level: 9, windowBits: 11, memLevel: 8 };
const oneShot = (input: Buffer) =>
  deflateRawSync(input, { ...SETTINGS, finishFlush: constants.Z_SYNC_FLUSH });

describe('the kept deflate engine', () => {
  it('gives, call after call, the bytes a fresh one-shot deflate gives, each decodable alone', () => {
    const kept = new KeptDeflater(SETTINGS);
    // Sizes across the scratch buffer's growth (16 KiB) and replies that share text, so that a
    // match into an earlier input would show as different bytes.
    const inputs = [reply(8), reply(8), Buffer.alloc(0), reply(1), randomBytes(40_000), reply(300), reply(8)];
    for (const input of inputs) {
      const out = kept.deflate(input);
      expect(out.equals(oneShot(input))).toBe(true);
      expect(inflateRawSync(out, { finishFlush: constants.Z_SYNC_FLUSH }).equals(input)).toBe(true);
    }
  });

  it('falls back to the one-shot deflate for good when its engine is gone', () => {
    const stream = createDeflateRaw(SETTINGS);
    const kept = new KeptDeflater(SETTINGS, stream);
    expect(kept.deflate(reply(2)).equals(oneShot(reply(2)))).toBe(true);
    stream.close(); // as a zlib error would: the stream drops its native handle
    for (const input of [reply(8), reply(3)]) expect(kept.deflate(input).equals(oneShot(input))).toBe(true);
  });
});

describe('deflated replies', () => {
  it('combines CRC-32s exactly as computing them over the joined bytes', () => {
    for (const [a, b] of [
      [0, 0],
      [1, 1],
      [7, 1464],
      [300, 65_537],
      [1, 0],
    ] as const) {
      const x = randomBytes(a);
      const y = randomBytes(b);
      expect(crc32Combine(crc32(x), crc32(y), y.length)).toBe(crc32(Buffer.concat([x, y])));
    }
  });

  it('splices callback(json) into one gzip member that gunzips to the exact body', () => {
    for (const cb of ['WxOrderCb', 'cb_2']) {
      for (const n of [0, 1, 8, 40]) {
        const json = reply(n);
        const stored = deflateReply(json);
        const body = gzipJsonp(jsonpOpener(cb), stored);
        // gunzipSync checks the trailer's CRC-32 and length.
        expect(gunzipSync(body).toString()).toBe(`${cb}(${json.toString()})`);
        expect(plainJsonp(jsonpOpener(cb), stored).toString()).toBe(`${cb}(${json.toString()})`);
      }
    }
  });

  it('is one member: nothing follows the trailer', () => {
    const json = reply(8);
    const body = gzipJsonp(jsonpOpener('WxOrderCb'), deflateReply(json));
    // The header, one DEFLATE stream ending in its final block, the trailer: the stream alone
    // inflates to the whole body, and the trailer counts all of it.
    expect(inflateRawSync(body.subarray(10, -8)).toString()).toBe(`WxOrderCb(${json.toString()})`);
    expect(body.readUInt32LE(body.length - 4)).toBe('WxOrderCb('.length + json.length + 1);
  });

  it('stores a typical reply in well under half its size, and inflates it back', () => {
    const json = reply(8);
    const stored = deflateReply(json);
    expect(inflateReply(stored).equals(json)).toBe(true);
    expect(stored.length).toBeLessThan(json.length / 2);
  });

  it("stores the spec callback's gzip trailer: the same CRC-32 as combining, and as gunzip checks", () => {
    for (const n of [0, 1, 8, 40]) {
      const json = reply(n);
      const stored = deflateReply(json);
      const body = Buffer.from(`WxOrderCb(${json.toString()})`);
      expect(stored.readUInt32LE(12)).toBe(crc32(body));
      const spliced = gzipJsonp(jsonpOpener('WxOrderCb'), stored);
      expect(spliced.readUInt32LE(spliced.length - 8)).toBe(crc32(body));
      // Another callback combines: the same bytes as if it were computed over the whole body.
      const other = gzipJsonp(jsonpOpener('cb_2'), stored);
      expect(other.readUInt32LE(other.length - 8)).toBe(crc32(Buffer.from(`cb_2(${json.toString()})`)));
    }
  });

  it('finds every single flipped bit of a stored value, and a value of another layout', () => {
    const stored = deflateReply(reply(8));
    expect(isIntactReply(stored)).toBe(true);
    for (let bit = 0; bit < stored.length * 8; bit++) {
      const bad = Buffer.from(stored);
      bad[bit >> 3]! ^= 1 << (bit & 7);
      expect(isIntactReply(bad)).toBe(false);
    }
    expect(isIntactReply(stored.subarray(0, stored.length - 1))).toBe(false);
    expect(isIntactReply(Buffer.alloc(0))).toBe(false);
    // Layout 1: crc32(json), length, blocks.
    const json = reply(8);
    const blocks = stored.subarray(16);
    const old = Buffer.concat([Buffer.alloc(8), blocks]);
    old.writeUInt32LE(crc32(json), 0);
    old.writeUInt32LE(json.length, 4);
    expect(isIntactReply(old)).toBe(false);
  });
});
