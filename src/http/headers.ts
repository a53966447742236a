/**
 * @module
 * Headers of every reply on WeChat's query route, fixed once: as objects (Fastify's route) and as
 * flat `[name, value, …]` arrays, which node:http's `writeHead` takes without enumerating an
 * object's keys or merging a spread per reply (the fast path).
 */

export const TRACK_HEADERS = Object.freeze({
  // JSONP is evaluated as a script; say so, and forbid sniffing it as anything else.
  'content-type': 'text/javascript; charset=utf-8',
  'x-content-type-options': 'nosniff',
  // Every reply is for one signed request: nothing may be cached or reused by a proxy.
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  // The body is gzip-encoded or not by the request's Accept-Encoding (see accept-encoding.ts).
  vary: 'Accept-Encoding',
});

/** A JSONP reply sent gzip-encoded, as the reply view stores it. */
export const TRACK_GZIP_HEADERS = Object.freeze({
  ...TRACK_HEADERS,
  'content-encoding': 'gzip',
});

/** Headers of the plain-text 400 sent when no JSONP answer is possible. */
export const PLAIN_ERROR_HEADERS = Object.freeze({
  ...TRACK_HEADERS,
  'content-type': 'text/plain; charset=utf-8',
});

/** A header object as the flat `[name, value, …]` array `writeHead` takes. */
export const flatHeaders = (headers: Readonly<Record<string, string>>): readonly string[] =>
  Object.freeze(Object.entries(headers).flat());

export const TRACK_HEADERS_FLAT = flatHeaders(TRACK_HEADERS);
export const TRACK_GZIP_HEADERS_FLAT = flatHeaders(TRACK_GZIP_HEADERS);
export const PLAIN_ERROR_HEADERS_FLAT = flatHeaders(PLAIN_ERROR_HEADERS);
