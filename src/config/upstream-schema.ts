/**
 * @module
 * The schema of a carrier's `source` (pull mode, src/pull/): `"store"` (the default: replies
 * from wxtrack's own store) or `{"upstream": {...}}`, the courier's existing tracking API. Kept
 * apart from config-schema.ts, which only names it, so pull mode's settings read as one piece.
 */

/** A credential for the upstream: inline (tests), or {"env"} / {"file"} so the file can sit in git. */
const upstreamSecret = {
  description:
    'A credential: the value itself (tests only), {"env": "NAME"} or {"file": "PATH"}. Never logged.',
  if: { type: 'string' },
  then: {
    type: 'string',
    pattern: '^[\\x21-\\x7e]{1,4096}$',
    'x-hint': 'must be 1 to 4096 printable ASCII characters without spaces',
  },
  else: {
    type: 'object',
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
    properties: {
      env: {
        type: 'string',
        pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$',
        'x-hint': 'must be an environment variable name',
      },
      file: { type: 'string', minLength: 1 },
    },
  },
} as const;

const templates = {
  type: 'object',
  description: 'Names to templates: {waybill}, {company} and {carrier} are filled in.',
  maxProperties: 32,
  additionalProperties: { type: 'string', maxLength: 1024 },
} as const;

const jsonPath = {
  type: 'string',
  description: 'A JSON path: $.a.b[0].c (dots and indexes).',
  pattern: '^(\\$|\\$?(\\.?[A-Za-z_$][\\w$-]*|\\[\\d{1,6}\\])+)$',
  'x-hint': 'must be a JSON path of dots and [n] indexes, e.g. $.data.traces',
} as const;

const seconds = (description: string, max: number) =>
  ({ type: 'integer', minimum: 1, maximum: max, description }) as const;

const response = {
  type: 'object',
  description: 'Generic preset: where the reply holds the traces, their fields and the status.',
  required: ['traces', 'time', 'text', 'statusCodes'],
  additionalProperties: false,
  properties: {
    traces: { ...jsonPath, description: 'Path of the trace list (an array).' },
    time: {
      ...jsonPath,
      description: "Within a trace: its time (ISO 8601, or 'YYYY-MM-DD HH:mm:ss' in the carrier's zone).",
    },
    text: { ...jsonPath, description: 'Within a trace: its text (accept_address).' },
    place: { ...jsonPath, description: 'Within a trace: its place (remark).' },
    traceStatus: { ...jsonPath, description: 'Within a trace: its status code, looked up in statusCodes.' },
    status: { ...jsonPath, description: "The waybill's status code; without it, the newest trace's." },
    statusCodes: {
      type: 'object',
      description: 'Upstream status codes to WeChat order_status (0 待揽件 … 6 代签收).',
      minProperties: 1,
      maxProperties: 200,
      additionalProperties: { type: 'integer', minimum: 0, maximum: 6 },
    },
    eta: { ...jsonPath, description: 'The estimated delivery date (its YYYY-MM-DD is used).' },
    recipientName: {
      ...jsonPath,
      description:
        "Privacy tiers: the recipient's name; within a trace, or the waybill's with a $ path. Masked for strangers.",
    },
    recipientPhone: {
      ...jsonPath,
      description:
        "Privacy tiers: the recipient's phone; within a trace, or the waybill's with a $ path. Masked for strangers.",
    },
    pickupCode: {
      ...jsonPath,
      description:
        "Privacy tiers: the pickup code; within a trace, or the waybill's with a $ path. Hidden from strangers.",
    },
    notFound: {
      type: 'object',
      description: 'How the upstream says "no such waybill" (an HTTP 404 also does).',
      required: ['path', 'values'],
      additionalProperties: false,
      properties: {
        path: jsonPath,
        values: { type: 'array', minItems: 1, maxItems: 20, items: { type: 'string', maxLength: 128 } },
      },
    },
    order: {
      enum: ['oldest-first', 'newest-first'],
      default: 'oldest-first',
      description: 'The order of the trace list.',
    },
  },
} as const;

const upstream = {
  type: 'object',
  description: "The courier's tracking API that answers for this carrier (pull mode).",
  required: ['preset', 'url', 'company'],
  additionalProperties: false,
  properties: {
    $comment: { type: 'string' },
    preset: { enum: ['kuaidi100', 'kdniao', 'generic'], description: 'Request and reply shape.' },
    url: {
      type: 'string',
      pattern: '^https?://[^\\s]+$',
      maxLength: 2048,
      'x-hint': 'must be an http:// or https:// URL',
      description: 'The query endpoint; generic: a template ({waybill}, {company}, {carrier}).',
    },
    company: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description:
        "The upstream's code for this carrier: Kuaidi100 com, Kdniao ShipperCode, generic {company}.",
    },
    customer: { ...upstreamSecret, description: 'kuaidi100: the customer id.' },
    key: { ...upstreamSecret, description: 'kuaidi100: the authorization key.' },
    businessId: { ...upstreamSecret, description: 'kdniao: EBusinessID.' },
    appKey: { ...upstreamSecret, description: 'kdniao: the AppKey.' },
    method: { enum: ['GET', 'POST'], description: 'generic: default GET, POST with form or json.' },
    query: { ...templates, description: 'generic: query parameters (templates).' },
    form: { ...templates, description: 'generic: a form body (templates).' },
    json: { description: 'generic: a JSON body; its strings are templates.' },
    headers: { ...templates, description: 'generic: extra headers (templates).' },
    auth: {
      type: 'object',
      description: 'generic: {"bearer": secret} or {"hmacSha256": secret, "header"?, "timestampHeader"?}.',
      additionalProperties: false,
      maxProperties: 3,
      properties: {
        bearer: upstreamSecret,
        hmacSha256: upstreamSecret,
        header: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$', default: 'X-Signature' },
        timestampHeader: { type: 'string', pattern: '^[A-Za-z0-9-]{1,64}$', default: 'X-Timestamp' },
      },
    },
    response,
    fallbackStatus: {
      type: 'integer',
      minimum: 0,
      maximum: 6,
      default: 2,
      description: 'order_status for an upstream status code no table knows (counted in metrics).',
    },
    cache: {
      type: 'object',
      additionalProperties: false,
      description: "The node's cache of replies.",
      properties: {
        freshSeconds: { ...seconds('Served without a call (default 1800).', 86_400 * 7) },
        signedFreshSeconds: { ...seconds('A signed parcel (default 86400).', 86_400 * 30) },
        unknownFreshSeconds: { ...seconds('"No such waybill" (default 300).', 86_400) },
        maxStaleSeconds: {
          ...seconds('Served stale past freshness while refreshes fail, at most (default 7200).', 86_400 * 7),
        },
        retrySeconds: { ...seconds('Wait after a failed refresh (default 30).', 3600) },
        maxEntries: {
          type: 'integer',
          minimum: 1,
          maximum: 50_000_000,
          description: 'Waybills cached (default 200000).',
        },
      },
    },
    budget: {
      type: 'object',
      additionalProperties: false,
      description: 'What the gateway may ask of the upstream.',
      properties: {
        perWaybill: {
          type: 'integer',
          minimum: 1,
          maximum: 100_000,
          description: 'Calls per waybill per window (default 48).',
        },
        windowSeconds: { ...seconds('The per-waybill window (default 86400).', 86_400 * 7) },
        inFlight: {
          type: 'integer',
          minimum: 1,
          maximum: 10_000,
          description: 'Calls in flight at most (default 32).',
        },
        timeoutMs: {
          type: 'integer',
          minimum: 50,
          maximum: 4_000,
          description: 'Per call, all included (default 2000).',
        },
        maxBodyBytes: {
          type: 'integer',
          minimum: 1024,
          maximum: 16 * 1024 * 1024,
          description: 'Largest reply body (default 262144).',
        },
      },
    },
    breaker: {
      type: 'object',
      additionalProperties: false,
      description: 'Circuit breaker.',
      properties: {
        failures: {
          type: 'integer',
          minimum: 1,
          maximum: 1000,
          description: 'Failures in a row that open it (default 5).',
        },
        openSeconds: { ...seconds('How long it stays open before one trial call (default 30).', 3600) },
      },
    },
  },
} as const;

export const SOURCE_SCHEMA = {
  description:
    'Where replies come from: "store" (default; events pushed or imported into wxtrack) or {"upstream": {...}}, the courier\'s existing tracking API (pull mode).',
  if: { type: 'string' },
  then: { const: 'store' },
  else: {
    type: 'object',
    required: ['upstream'],
    additionalProperties: false,
    properties: { upstream },
  },
} as const;
