import { describe, expect, it } from 'vitest';
import { deflateReply, inflateReply } from '../view/deflated-reply.js';
import { hashOpenid } from './openid-hash.js';
import { decodeOwned, encodeOwned } from './owned-entry.js';

const stored = deflateReply(
  Buffer.from('{"err_code":0,"err_msg":"ok","order_status":2,"traces":[],"cells":[]}'),
);
const A = hashOpenid('k'.repeat(16), 'YTO', 'o-a');
const B = hashOpenid('k'.repeat(16), 'YTO', 'o-b');

describe('owned view entries', () => {
  it('are the stored reply itself, byte for byte, for a waybill nobody owns', () => {
    expect(encodeOwned(stored, [])).toBe(stored);
    const decoded = decodeOwned(stored);
    expect(decoded.owners).toEqual([]);
    expect(decoded.stored).toBe(stored);
  });

  it('carry the owners beside the reply, and give the reply back untouched', () => {
    const entry = encodeOwned(stored, [A, B]);
    expect(entry.length).toBe(12 + 32 + stored.length);
    const decoded = decodeOwned(entry);
    expect(decoded.owners).toEqual([A, B]);
    expect(decoded.stored.equals(stored)).toBe(true);
    expect(inflateReply(decoded.stored).toString()).toContain('"order_status":2');
  });

  it('refuse what is not an openid hash', () => {
    expect(() => encodeOwned(stored, ['not-a-hash'])).toThrow(/not an openid hash/);
  });

  it('tell a stored reply from an owned entry for any reply below 16 MiB', () => {
    for (const size of [0, 1, 1000, 100_000]) {
      const s = deflateReply(Buffer.alloc(size, 'a'));
      expect(decodeOwned(s).stored).toBe(s);
    }
  });

  it('never read a stored reply as owned, whatever its checksums hold', () => {
    // Bytes 0–7 are CRC-32s: across 2,000 replies some have 0xFF anywhere in them.
    let ff = 0;
    for (let i = 0; i < 2000; i++) {
      const s = deflateReply(Buffer.from(`{"err_code":0,"n":${i}}`));
      if (s.subarray(0, 8).includes(0xff)) ff++;
      expect(decodeOwned(s).owners).toEqual([]);
      expect(decodeOwned(s).stored).toBe(s);
    }
    expect(ff).toBeGreaterThan(0);
  });
});
