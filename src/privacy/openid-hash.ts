/**
 * @module
 * Openids are never stored in clear: an owner binding keeps HMAC-SHA256(key, carrier NUL openid),
 * cut to 128 bits, hex. Keyed, so that a leaked table cannot be matched against openids collected
 * elsewhere (an openid is a stable per-app identifier of a WeChat user, personal data under PIPL);
 * per carrier, so that two carriers' tables cannot be joined on it. 128 bits make a collision
 * between two readers of one waybill negligible. Pure (hashing is computation, not I/O).
 */
import { createHmac } from 'node:crypto';

/** Hex characters of a hash: 128 bits. */
export const OPENID_HASH_CHARS = 32;

/** Shortest key accepted, in bytes. */
export const MIN_OWNER_KEY_BYTES = 16;

/** The keyed hash of a reader's openid for one carrier. */
export function hashOpenid(key: string | Uint8Array, carrier: string, openid: string): string {
  return createHmac('sha256', key)
    .update(carrier)
    .update('\0')
    .update(openid)
    .digest('hex')
    .slice(0, OPENID_HASH_CHARS);
}

/** Whether a string has the shape of {@link hashOpenid}'s output. */
export const isOpenidHash = (s: string): boolean => /^[0-9a-f]{32}$/.test(s);
