import { describe, expect, it } from 'vitest';
import { hashOpenid, isOpenidHash, OPENID_HASH_CHARS } from './openid-hash.js';

const KEY = 'k'.repeat(32);
const OPENID = 'oABCD1234efgh5678ijkl9012mnop';

describe('hashOpenid', () => {
  it('is a 128-bit hex hash that does not hold the openid', () => {
    const h = hashOpenid(KEY, 'yto', OPENID);
    expect(h).toHaveLength(OPENID_HASH_CHARS);
    expect(isOpenidHash(h)).toBe(true);
    expect(h).not.toContain(OPENID);
  });

  it('is stable for one key, carrier and openid', () => {
    expect(hashOpenid(KEY, 'yto', OPENID)).toBe(hashOpenid(Buffer.from(KEY), 'yto', OPENID));
  });

  it('differs by key, by carrier and by openid', () => {
    const h = hashOpenid(KEY, 'yto', OPENID);
    expect(hashOpenid('x'.repeat(32), 'yto', OPENID)).not.toBe(h);
    expect(hashOpenid(KEY, 'zto', OPENID)).not.toBe(h);
    expect(hashOpenid(KEY, 'yto', OPENID + 'x')).not.toBe(h);
    // The separator keeps carrier and openid apart: ("ab", "c") is not ("a", "bc").
    expect(hashOpenid(KEY, 'ab', 'c')).not.toBe(hashOpenid(KEY, 'a', 'bc'));
  });

  it('is the keyed HMAC-SHA256 and not a plain hash', async () => {
    const { createHash, createHmac } = await import('node:crypto');
    const plain = createHash('sha256').update(`yto\0${OPENID}`).digest('hex').slice(0, 32);
    expect(hashOpenid(KEY, 'yto', OPENID)).not.toBe(plain);
    expect(hashOpenid(KEY, 'yto', OPENID)).toBe(
      createHmac('sha256', KEY).update(`yto\0${OPENID}`).digest('hex').slice(0, 32),
    );
  });
});
