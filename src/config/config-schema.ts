/**
 * @module
 * The JSON Schema of `wxtrack.config.json`: the single source of its structure. The validator
 * (config-file.ts) runs this very object through Ajv, and `schema/wxtrack.config.schema.json`,
 * which editors load through the file's `"$schema"`, is this object written out; a test fails
 * when the two differ (regenerate with `npm run schema`).
 *
 * `x-hint` is our own annotation: the reason printed when a `pattern` fails, since a regular
 * expression is no message for an operator. Editors ignore unknown keywords.
 */

import { SOURCE_SCHEMA } from './upstream-schema.js';

const TOKEN_HINT = 'must be 3 to 128 printable ASCII characters without spaces';

/** JSON has no comments: `"$comment"` carries a note for people (the starter file uses it); ignored. */
const comment = { type: 'string', description: 'A note for people reading the file; ignored.' } as const;

/**
 * A secret: inline (fine for tests) or, so the file can sit in git, a reference: an environment
 * variable (read at start) or a secret file (read at start and on every reload, so a token can be
 * rotated with SIGHUP alone).
 */
const secret = {
  description:
    'A secret: the value itself, {"env": "NAME"} to read environment variable NAME, or {"file": "PATH"} to read a secret file (re-read on SIGHUP).',
  if: { type: 'string' },
  then: { type: 'string', pattern: '^[\\x21-\\x7e]{3,128}$', 'x-hint': TOKEN_HINT },
  else: {
    type: 'object',
    minProperties: 1,
    maxProperties: 1,
    additionalProperties: false,
    properties: {
      env: {
        type: 'string',
        description: 'Name of the environment variable that holds the secret.',
        pattern: '^[A-Za-z_][A-Za-z0-9_]{0,127}$',
        'x-hint': 'must be an environment variable name (letters, digits, _)',
      },
      file: {
        type: 'string',
        description: 'Path of a file holding the secret (surrounding whitespace is ignored).',
        minLength: 1,
      },
    },
  },
} as const;

/**
 * Where a backend is: a path or URL, inline or, since a URL may carry a password, a reference to
 * an environment variable or a secret file, resolved like tokens.
 */
const location = {
  description:
    'A path or URL: the value itself, or {"env": "NAME"} / {"file": "PATH"} when it carries a password.',
  if: { type: 'string' },
  then: { type: 'string', minLength: 1, maxLength: 2048 },
  else: secret.else,
} as const;

const cell = {
  type: 'object',
  description: 'A cell registered with WeChat (落地页Cell信息).',
  required: ['key', 'name', 'link'],
  additionalProperties: false,
  properties: {
    $comment: comment,
    key: {
      type: 'string',
      description: 'Cell key (Key), at most 20 characters; events name the cell by it.',
      minLength: 1,
      maxLength: 20,
      pattern: '^[\\x21-\\x7e]+$',
      'x-hint': 'must be printable ASCII without spaces',
    },
    name: {
      type: 'string',
      description: 'Name shown on the button (Name), e.g. 支付运单.',
      minLength: 1,
      maxLength: 32,
    },
    link: {
      type: 'string',
      description:
        "Where a tap leads (Link): a mini-program path or an https URL. An event's cells[].status is a URL parameter appended to this link (e.g. state=unpaid), not another path.",
      minLength: 1,
      maxLength: 512,
    },
  },
} as const;

/**
 * A scan-code table, as in the `--event-codes` file: `codes` laid over the built-in table (a null
 * entry removes a built-in code), or replacing it with `replaceDefaults`.
 */
const eventCodes = {
  type: 'object',
  description:
    "This carrier's scan codes (揽收, SCAN_IN, …), laid over the built-in table; the same form as the --event-codes file. Without it, the --event-codes file (WXTRACK_EVENT_CODES) or the built-in table.",
  required: ['codes'],
  additionalProperties: false,
  properties: {
    $comment: comment,
    codes: {
      type: 'object',
      description: 'Code → {"status": 0-6, "label": "…"}; null removes a built-in code.',
      maxProperties: 500,
      additionalProperties: {
        if: { type: 'null' },
        then: { type: 'null' },
        else: {
          type: 'object',
          required: ['status', 'label'],
          additionalProperties: false,
          properties: {
            status: {
              type: 'integer',
              minimum: 0,
              maximum: 6,
              description: "WeChat's order_status: 0 待揽件 … 6 代签收.",
            },
            label: {
              type: 'string',
              minLength: 1,
              maxLength: 32,
              description: 'Shown before the description, e.g. 运输中.',
            },
          },
        },
      },
    },
    replaceDefaults: {
      type: 'boolean',
      default: false,
      description: 'true: these codes are the whole table; the built-in ones are dropped.',
    },
  },
} as const;

const carrier = {
  type: 'object',
  description: 'One courier served behind the endpoint.',
  required: ['id', 'name', 'tokens', 'waybillPattern'],
  additionalProperties: false,
  properties: {
    $comment: comment,
    id: {
      type: 'string',
      description: 'The company_id WeChat sends for this courier.',
      pattern: '^[A-Za-z0-9_-]{1,32}$',
      'x-hint': 'must be 1 to 32 of A-Z a-z 0-9 _ -',
    },
    name: { type: 'string', description: 'Courier name (运力名称).', minLength: 1, maxLength: 64 },
    tokens: {
      type: 'array',
      description:
        'WeChat tokens. The first is current; every one verifies, so a token is rotated by adding the new one first and removing the old one later.',
      minItems: 1,
      maxItems: 5,
      items: secret,
    },
    waybillPattern: {
      type: 'string',
      description:
        'The waybill regular expression registered with WeChat (运单正则表达式). Anchored at both ends by the gateway.',
      minLength: 1,
      maxLength: 200,
    },
    timezone: {
      type: 'string',
      description: 'IANA time zone of accept_time and of event times without an offset.',
      default: 'Asia/Shanghai',
    },
    trace: {
      type: 'object',
      description: 'How traces are laid out.',
      additionalProperties: false,
      properties: {
        order: { enum: ['oldest-first', 'newest-first'], default: 'oldest-first' },
        address: {
          description:
            'label-description writes "运输中\\n快件已..."; description writes the description alone.',
          enum: ['label-description', 'description'],
          default: 'label-description',
        },
      },
    },
    phone: {
      type: 'string',
      description: 'Customer-service phone (运力客服电话).',
      pattern: '^[0-9+() -]{3,32}$',
      'x-hint': 'must be 3 to 32 of 0-9 + ( ) - and spaces',
    },
    cells: {
      type: 'array',
      description: 'Registered cells; events may only use these keys.',
      maxItems: 20,
      items: cell,
    },
    environment: {
      description: 'test: only testWaybills are served (others get 40401); production: all.',
      enum: ['test', 'production'],
      default: 'production',
    },
    application: {
      type: 'object',
      description:
        'What the application email to WeChat states (wxtrack apply). Every field is optional; wxtrack apply names the missing ones.',
      additionalProperties: false,
      properties: {
        features: {
          type: 'string',
          description: '计划实现的功能: the features planned, e.g. 轨迹查询、支付运单.',
          minLength: 1,
          maxLength: 1000,
        },
        miniProgramAppId: {
          type: 'string',
          description: "运力小程序的appid: the courier's WeChat-certified mini program.",
          pattern: '^wx[0-9a-f]{16}$',
          'x-hint': 'must be wx followed by 16 lowercase hex digits',
        },
        productionUrl: {
          type: 'string',
          description: '运力的正式服务器地址: the endpoint WeChat queries in production.',
          pattern: '^https://[^\\s]+$',
          maxLength: 512,
          'x-hint': 'must be an https:// URL',
        },
        testUrl: {
          type: 'string',
          description: '运力的测试服务器地址: the endpoint WeChat tests against.',
          pattern: '^https?://[^\\s]+$',
          maxLength: 512,
          'x-hint': 'must be an http:// or https:// URL',
        },
        jumpAppId: {
          type: 'string',
          description: '运力跳转小程序appid: the mini program the landing page links to.',
          pattern: '^wx[0-9a-f]{16}$',
          'x-hint': 'must be wx followed by 16 lowercase hex digits',
        },
        jumpPath: {
          type: 'string',
          description: '运力跳转小程序path: the page opened in it, e.g. pages/index/index.',
          minLength: 1,
          maxLength: 256,
        },
      },
    },
    // Pull mode: its own schema, in upstream-schema.ts.
    source: SOURCE_SCHEMA,
    privacy: {
      type: 'object',
      description:
        "Privacy tiers: strangers who scan a parcel get a reply with customers' names, phones, pickup codes and room numbers masked; the waybill's owners (openids bound through the waybill API) get it in full. On by default.",
      additionalProperties: false,
      properties: {
        $comment: comment,
        mask: {
          type: 'boolean',
          default: true,
          description: 'false serves every scanner the full reply; needs a reason.',
        },
        reason: {
          type: 'string',
          minLength: 1,
          maxLength: 500,
          description: 'Why masking is off (at least 10 characters); shown by config check.',
        },
        courierWords: {
          type: 'array',
          description:
            "Words that mark the phone after them as a courier's or outlet's, kept visible, beside the built-in ones (快递员、派件员、网点、客服 …).",
          maxItems: 50,
          uniqueItems: true,
          items: { type: 'string', minLength: 1, maxLength: 16 },
        },
        rules: {
          type: 'array',
          description:
            "The carrier's own masking rules, applied before the built-in ones. The first capture group (or the whole match) is hidden as `hide` says.",
          maxItems: 20,
          items: {
            type: 'object',
            required: ['pattern', 'hide'],
            additionalProperties: false,
            properties: {
              pattern: {
                type: 'string',
                minLength: 1,
                maxLength: 200,
                description: 'A regular expression; it must pass the same ReDoS lint as waybill patterns.',
              },
              hide: {
                enum: ['name', 'phone', 'code', 'unit'],
                description: 'name: 张*; phone: 138******78; code: ****; unit: every character.',
              },
            },
          },
        },
        examples: {
          type: 'array',
          description:
            "The carrier's own trace texts and the masked text a stranger must see; checked on every load.",
          maxItems: 50,
          items: {
            type: 'object',
            required: ['text', 'masked'],
            additionalProperties: false,
            properties: {
              text: { type: 'string', minLength: 1, maxLength: 640 },
              masked: { type: 'string', minLength: 1, maxLength: 640 },
            },
          },
        },
      },
    },
    eventCodes,
    retentionDays: {
      type: 'integer',
      minimum: 1,
      maximum: 36500,
      description:
        "Days this carrier's waybills are kept after their last scan; the server purges older ones daily. Without it, --retention-days (WXTRACK_RETENTION_DAYS), else kept forever.",
    },
    bodyLimit: {
      description:
        'Largest POST /v1/events body this carrier\'s keys may send: bytes, or text such as "10MiB" or "512KiB" (powers of 1024), from 1KiB to 1024MiB. Without it, --body-limit (WXTRACK_BODY_LIMIT), else 10MiB.',
      if: { type: 'integer' },
      then: { type: 'integer', minimum: 1024, maximum: 1073741824 },
      else: {
        type: 'string',
        pattern: '^\\s*\\d+\\s*([bB]|[kKmM]([bB]|[iI][bB])?)?\\s*$',
        'x-hint': 'must be a whole number of bytes, KiB or MiB, e.g. 10MiB',
      },
    },
    testWaybills: {
      type: 'array',
      description: 'Whitelisted test waybills (白名单测试运单码).',
      maxItems: 1000,
      uniqueItems: true,
      items: {
        type: 'string',
        pattern: '^[\\x21-\\x7e]{1,64}$',
        'x-hint': 'must be 1 to 64 printable ASCII characters',
      },
    },
  },
} as const;

export const CONFIG_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'wxtrack configuration',
  description: 'wxtrack.config.json: the carriers one gateway serves, and how it listens.',
  type: 'object',
  required: ['carriers'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string', description: 'Path or URL of this schema, for editors.' },
    $comment: comment,
    server: {
      type: 'object',
      description: 'How the gateway listens. Flags and WXTRACK_* variables override these.',
      additionalProperties: false,
      properties: {
        $comment: comment,
        host: { type: 'string', minLength: 1, default: '127.0.0.1' },
        port: { type: 'integer', minimum: 0, maximum: 65535, default: 8787 },
        db: {
          ...location,
          description:
            'The store: a SQLite database file, or a postgres:// URL (PostgreSQL). A URL with a password belongs in {"env": ...} or {"file": ...}.',
          default: './data/wxtrack.db',
        },
        redis: {
          ...location,
          description:
            'redis:// URL of the shared replay guard; without it the guard lives in the process (one process only).',
        },
        guardSecret: {
          ...secret,
          description:
            'Key that hashes replay-guard bindings in Redis; every node must share it. A secret like a token.',
        },
        ownerKey: {
          ...secret,
          description:
            "Key of the hash that stores a waybill's owners' openids (privacy tiers); every node must share it. Without it no owner can be bound and every reader gets the masked reply.",
        },
        workers: {
          type: 'integer',
          minimum: 1,
          maximum: 64,
          default: 1,
          description: 'Serving processes on this machine; more than 1 needs redis.',
        },
        workerRestarts: {
          type: 'integer',
          minimum: 0,
          maximum: 10000,
          default: 10,
          description:
            'Worker deaths in any minute the primary replaces; one more and it stops the node (exit 1). 0: the first death stops it.',
        },
        trackPath: {
          type: 'string',
          description: "Path of WeChat's query route.",
          pattern: '^/[A-Za-z0-9/_.-]*$',
          'x-hint': 'must start with / and be a plain path',
          default: '/wechat/track',
        },
        windowSeconds: { type: 'integer', minimum: 1, maximum: 86400, default: 300 },
        replayMaxEntries: {
          type: 'integer',
          minimum: 1,
          maximum: 100000000,
          description: 'Live entries of the memory replay guard; default: sized from replayMaxRate.',
        },
        replayMaxRate: {
          type: 'integer',
          minimum: 1,
          maximum: 1000000,
          default: 5000,
          description:
            'New signatures per second the memory replay guard holds for its whole window (20 bytes × rate × (2 × windowSeconds + 1)).',
        },
        logLevel: { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
        accessLog: { type: 'boolean', default: false },
        requestTimeoutSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 600,
          default: 10,
          description: 'The whole request, head and body, must arrive within this many seconds.',
        },
        idleTimeoutSeconds: {
          type: 'integer',
          minimum: 1,
          maximum: 600,
          default: 10,
          description: 'A connection silent this long is closed; an idle keep-alive one after 5 s at most.',
        },
        maxConnections: {
          type: 'integer',
          minimum: 1,
          maximum: 1000000,
          default: 1024,
          description:
            'Open client connections at most; keep it below the file-descriptor limit (ulimit -n).',
        },
        rateLimitPerMinute: {
          type: 'integer',
          minimum: 0,
          maximum: 10000000,
          default: 600,
          description: 'Track queries per client address per minute; 0 turns the limit off.',
        },
        trustedProxies: {
          type: 'array',
          maxItems: 100,
          items: { type: 'string', minLength: 1, maxLength: 64 },
          description:
            'Addresses or CIDR ranges of reverse proxies (nginx) whose X-Forwarded-For / X-Real-IP name the client for the rate limit; from anyone else the socket address counts.',
        },
        metricsHost: {
          type: 'string',
          minLength: 1,
          default: '127.0.0.1',
          description: 'Interface of the Prometheus listener (GET /metrics).',
        },
        metricsPort: {
          type: 'integer',
          minimum: 0,
          maximum: 65535,
          description: 'Port of the Prometheus listener; without it there is none.',
        },
        view: {
          type: 'string',
          minLength: 1,
          description:
            "The reply view's file (LMDB), shared by the processes serving one store; `off` reads the store on every query. Default: beside the SQLite database (DB-view.mdb).",
        },
      },
    },
    carriers: { type: 'array', minItems: 1, maxItems: 100, items: carrier },
  },
} as const;

/** The published file's text: what `npm run schema` writes and the agreement test compares. */
export function schemaFileText(): string {
  return JSON.stringify(CONFIG_SCHEMA, null, 2) + '\n';
}
