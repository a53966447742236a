/**
 * @module
 * WeChat's query signature: `sha1(sort([token, timestamp, nonce]).join(''))`, lowercase hex
 * (spec §接口开发文档 1, 签名示例).
 *
 * The bare concatenation is malleable: `(ts=1700000000, nonce=2abc)` and
 * `(ts=17000000002, nonce=abc)` hash alike. So every value's shape is checked before hashing, and
 * the digest comparison is constant-time and happens only after that check.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** 40 lowercase hex characters, as the spec prints them. */
export const SIGNATURE_RE = /^[0-9a-f]{40}$/;
/** Unix seconds. Twelve digits reach past the year 30000, and bound the work on a hostile value. */
export const TIMESTAMP_RE = /^[0-9]{1,12}$/;
/** The spec's example nonce is digits; WeChat sends digits. We accept ASCII alphanumerics. */
export const NONCE_RE = /^[A-Za-z0-9]{1,64}$/;

/** The raw 20-byte digest of the spec's signature. */
function signatureDigest(token: string, timestamp: string, nonce: string): Buffer {
  const parts = [token, timestamp, nonce].sort();
  return createHash('sha1').update(parts.join('')).digest();
}

/** The spec's signature: the three strings sorted (as strings, by UTF-16 code unit) and joined. */
export function computeSignature(token: string, timestamp: string, nonce: string): string {
  return signatureDigest(token, timestamp, nonce).toString('hex');
}

export type SignatureVerdict =
  /** The signature is well-formed and one of the tokens produced it; `tokenIndex` says which. */
  | { readonly ok: true; readonly tokenIndex: number }
  /** A value has the wrong shape: nothing was hashed. */
  | { readonly ok: false; readonly reason: 'malformed' }
  /** Well-formed, but no token produced it. */
  | { readonly ok: false; readonly reason: 'mismatch' };

/**
 * Verifies a signature against every accepted token (the first is current; the rest are kept
 * during a rotation). All tokens are tried, so timing does not tell which one matched.
 */
export function verifySignature(
  tokens: readonly string[],
  signature: string,
  timestamp: string,
  nonce: string,
): SignatureVerdict {
  if (!SIGNATURE_RE.test(signature) || !TIMESTAMP_RE.test(timestamp) || !NONCE_RE.test(nonce)) {
    return { ok: false, reason: 'malformed' };
  }
  const given = Buffer.from(signature, 'hex');
  let match = -1;
  for (let i = 0; i < tokens.length; i++) {
    const expected = signatureDigest(tokens[i]!, timestamp, nonce);
    if (timingSafeEqual(expected, given) && match < 0) match = i;
  }
  return match >= 0 ? { ok: true, tokenIndex: match } : { ok: false, reason: 'mismatch' };
}
