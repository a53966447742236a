import { describe, expect, it } from 'vitest';
import type { Reply } from '../reply/reply-source.js';
import { hashOpenid } from './openid-hash.js';
import { tieredReplySource, type TierSources } from './tiered-reply-source.js';

const KEY = 'an-owner-key-of-32-characters!!!';
const W = 'YT1234567890123';
const reply = (text: string): Reply => ({ json: Buffer.from(text) });
const MASKED = reply('{"masked":true}');
const FULL = reply('{"full":true}');

/** Sources that count their lookups, answering synchronously or through a promise. */
function counted(owners: readonly string[], async = false) {
  const counts = { masked: 0, full: 0, hashes: 0 };
  const wrap = <T>(v: T) => (async ? Promise.resolve(v) : v);
  const sources: TierSources = {
    masked: (_c, w) => {
      counts.masked++;
      return wrap(w === W ? { ...MASKED, owners } : undefined);
    },
    full: (_c, w) => {
      counts.full++;
      return wrap(w === W ? FULL : undefined);
    },
  };
  const hash = (key: string, carrier: string, openid: string) => {
    counts.hashes++;
    return hashOpenid(key, carrier, openid);
  };
  return { sources, counts, hash };
}

describe('tieredReplySource', () => {
  it('gives a stranger the masked reply in one lookup, without hashing, when nobody owns the waybill', () => {
    const { sources, counts, hash } = counted([]);
    const source = tieredReplySource(sources, { ownerKey: KEY, masks: () => true, hash });
    expect(source.getReply('YTO', W, 'o-stranger')).toMatchObject(MASKED);
    expect(counts).toEqual({ masked: 1, full: 0, hashes: 0 });
  });

  it('gives an owner the full reply with one more lookup, and a stranger still one lookup', () => {
    const { sources, counts, hash } = counted([hashOpenid(KEY, 'YTO', 'o-owner')]);
    const source = tieredReplySource(sources, { ownerKey: KEY, masks: () => true, hash });
    expect(source.getReply('YTO', W, 'o-stranger')).toMatchObject(MASKED);
    expect(counts).toEqual({ masked: 1, full: 0, hashes: 1 });
    expect(source.getReply('YTO', W, 'o-owner')).toBe(FULL);
    expect(counts).toEqual({ masked: 2, full: 1, hashes: 2 });
  });

  it("does not take another carrier's owner for this one's", () => {
    const { sources, hash } = counted([hashOpenid(KEY, 'ZTO', 'o-owner')]);
    const source = tieredReplySource(sources, { ownerKey: KEY, masks: () => true, hash });
    expect(source.getReply('YTO', W, 'o-owner')).toMatchObject(MASKED);
  });

  it('treats everyone as a stranger without an owner key (fail closed)', () => {
    const { sources, counts } = counted([hashOpenid(KEY, 'YTO', 'o-owner')]);
    const source = tieredReplySource(sources, { ownerKey: undefined, masks: () => true });
    expect(source.getReply('YTO', W, 'o-owner')).toMatchObject(MASKED);
    expect(counts.full).toBe(0);
  });

  it('serves the full reply in one lookup for a carrier that turned masking off', () => {
    const { sources, counts } = counted([]);
    const source = tieredReplySource(sources, { ownerKey: KEY, masks: (c) => c !== 'YTO' });
    expect(source.getReply('YTO', W, 'o-anyone')).toBe(FULL);
    expect(counts).toEqual({ masked: 0, full: 1, hashes: 0 });
  });

  it('answers unknown waybills with undefined, and waits for sources that answer later', async () => {
    const { sources } = counted([hashOpenid(KEY, 'YTO', 'o-owner')], true);
    const source = tieredReplySource(sources, { ownerKey: KEY, masks: () => true });
    expect(await source.getReply('YTO', W, 'o-owner')).toBe(FULL);
    expect(await source.getReply('YTO', W, 'o-stranger')).toMatchObject(MASKED);
    expect(await source.getReply('YTO', 'YT0', 'o-owner')).toBeUndefined();
  });
});
