/**
 * @module
 * The signatures upstream tracking APIs ask for, as pure functions of their inputs.
 *
 * - Kuaidi100: `sign = upper(md5(param + key + customer))`, hex.
 * - Kdniao: `DataSign = urlencode(base64(md5hex(RequestData + AppKey)))`: the base64 is of the
 *   32-character lower-case hex text, not of the 16 raw bytes; the urlencode is the form
 *   encoding's own, so the value handed to the form encoder is the base64 text.
 * - generic: HMAC-SHA256, hex, over `method \n path?query \n timestamp \n body`.
 */
import { createHash, createHmac } from 'node:crypto';

const md5hex = (text: string): string => createHash('md5').update(text, 'utf8').digest('hex');

export function kuaidi100Sign(param: string, key: string, customer: string): string {
  return md5hex(param + key + customer).toUpperCase();
}

/** The base64 text; the form encoding urlencodes it once. */
export function kdniaoDataSign(requestData: string, appKey: string): string {
  return Buffer.from(md5hex(requestData + appKey), 'utf8').toString('base64');
}

/** What a generic HMAC signature covers, so a server can rebuild it. */
export function hmacCanonical(method: string, pathAndQuery: string, timestamp: string, body: string): string {
  return method + '\n' + pathAndQuery + '\n' + timestamp + '\n' + body;
}

export function hmacSha256Hex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}
