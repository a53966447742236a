/**
 * @module
 * The error catalog of the courier-facing `/v1` API (push, waybills), the sibling of
 * protocol/errors.ts (which holds WeChat's numeric `err_code`s). Codes are stable strings that
 * couriers' integrations branch on: an entry is never renamed, only added.
 *
 * Errors travel as Fastify's own errors do: `{ statusCode, code, error, message }`.
 *
 * Per-event outcomes of a push are not HTTP errors: a rejected event is one entry of the reply's
 * `results`, with one of the {@link Rejections} codes, while its neighbours are stored.
 */

export interface ApiErrorEntry {
  /** Stable machine-readable code, `WXT_…`. */
  readonly code: string;
  /** Fixed text; never echoes the request. */
  readonly message: string;
  /** HTTP status. */
  readonly statusCode: number;
  /** HTTP reason phrase, Fastify-style `error` field. */
  readonly error: string;
}

const e = (code: string, statusCode: number, error: string, message: string): ApiErrorEntry =>
  Object.freeze({ code, statusCode, error, message });

export const ApiErrors = Object.freeze({
  UNAUTHORIZED: e(
    'WXT_UNAUTHORIZED',
    401,
    'Unauthorized',
    'missing, unknown or revoked API key: send Authorization: Bearer <key> (see `wxtrack keys create`)',
  ),
  BODY_TOO_LARGE: e('WXT_BODY_TOO_LARGE', 413, 'Payload Too Large', 'request body is larger than the limit'),
  UNSUPPORTED_MEDIA_TYPE: e(
    'WXT_UNSUPPORTED_MEDIA_TYPE',
    415,
    'Unsupported Media Type',
    'send application/json or application/x-ndjson',
  ),
  BAD_JSON: e('WXT_BAD_JSON', 400, 'Bad Request', 'body is not valid JSON'),
  NOT_AN_ARRAY: e('WXT_NOT_AN_ARRAY', 400, 'Bad Request', 'a JSON body must be an array of events'),
  BAD_WAYBILL: e('WXT_BAD_WAYBILL', 400, 'Bad Request', 'waybill must be 1 to 64 printable ASCII characters'),
  BAD_ATTRIBUTES: e('WXT_BAD_ATTRIBUTES', 400, 'Bad Request', 'invalid waybill attributes'),
  BAD_REQUEST: e('WXT_BAD_REQUEST', 400, 'Bad Request', 'malformed request'),
  WAYBILL_NOT_FOUND: e('WXT_WAYBILL_NOT_FOUND', 404, 'Not Found', 'no such waybill for this carrier'),
  CARRIER_NOT_SERVED: e(
    'WXT_CARRIER_NOT_SERVED',
    403,
    'Forbidden',
    "this API key's carrier is not in the gateway's configuration, so WeChat would never be shown its data; create a key for a configured carrier",
  ),
  BAD_OWNER: e('WXT_BAD_OWNER', 400, 'Bad Request', 'body must be {"openid": "<the reader\'s openid>"}'),
  OWNERS_NOT_CONFIGURED: e(
    'WXT_OWNERS_NOT_CONFIGURED',
    503,
    'Service Unavailable',
    'owners cannot be bound: the gateway has no owner key (set WXTRACK_OWNER_KEY or server.ownerKey, the same on every node)',
  ),
  INTERNAL: e('WXT_INTERNAL', 500, 'Internal Server Error', 'internal error'),
  // Replies outside any route: fixed text, so not-found and malformed requests echo nothing.
  NOT_FOUND: e('WXT_NOT_FOUND', 404, 'Not Found', 'no such route'),
  REQUEST_TIMEOUT: e('WXT_REQUEST_TIMEOUT', 408, 'Request Timeout', 'the request did not arrive in time'),
  HEADERS_TOO_LARGE: e(
    'WXT_HEADERS_TOO_LARGE',
    431,
    'Request Header Fields Too Large',
    'request headers are too large',
  ),
  TOO_MANY_CONNECTIONS: e(
    'WXT_TOO_MANY_CONNECTIONS',
    503,
    'Service Unavailable',
    'too many open connections; retry later',
  ),
});

export type ApiErrorName = keyof typeof ApiErrors;

/** The body of an API error; `detail` adds facts we chose to state (a limit, a field), never input. */
export function apiErrorBody(entry: ApiErrorEntry, detail?: string): Record<string, unknown> {
  return {
    statusCode: entry.statusCode,
    code: entry.code,
    error: entry.error,
    message: detail === undefined ? entry.message : `${entry.message}: ${detail}`,
  };
}

/** Why one event of a push or an import was not stored. */
export const Rejections = Object.freeze({
  /** An NDJSON line that does not decode. */
  INVALID_JSON: 'invalid_json',
  /** A field is missing or malformed; the reason names it. */
  INVALID: 'invalid',
  /** `code` is not in the carrier's mapping; the reason names it. */
  UNKNOWN_CODE: 'unknown_code',
  /** The `event_id` is stored with other content; the stored version stays. */
  CONFLICT: 'conflict',
  /** The waybill does not match the carrier's registered pattern: WeChat would never query it. */
  UNSERVABLE: 'unservable',
});

export type RejectionCode = (typeof Rejections)[keyof typeof Rejections];
