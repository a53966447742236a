/**
 * @module
 * A carrier's `source.upstream` section (see upstream-schema.ts), checked for meaning and turned
 * into {@link PullSettings}: credentials resolved through the caller's secret reader (so they
 * come from the environment or a file and are never logged), preset-specific fields required,
 * seconds turned into milliseconds, defaults filled in (their reasons are in pull-settings.ts).
 * No I/O here.
 */
import type { OrderStatus } from '../protocol/order-info.js';
import { compileGenericMapping } from '../pull/map-generic.js';
import {
  pullSettings,
  type GenericAuth,
  type GenericMapping,
  type PullSettings,
  type RequestSettings,
} from '../pull/pull-settings.js';

type Secret = string | { readonly env: string } | { readonly file: string };

export interface RawUpstream {
  preset: 'kuaidi100' | 'kdniao' | 'generic';
  url: string;
  company: string;
  customer?: Secret;
  key?: Secret;
  businessId?: Secret;
  appKey?: Secret;
  method?: 'GET' | 'POST';
  query?: Record<string, string>;
  form?: Record<string, string>;
  json?: unknown;
  headers?: Record<string, string>;
  auth?: { bearer?: Secret; hmacSha256?: Secret; header?: string; timestampHeader?: string };
  response?: Omit<GenericMapping, 'order'> & { order?: GenericMapping['order'] };
  fallbackStatus?: OrderStatus;
  cache?: {
    freshSeconds?: number;
    signedFreshSeconds?: number;
    unknownFreshSeconds?: number;
    maxStaleSeconds?: number;
    retrySeconds?: number;
    maxEntries?: number;
  };
  budget?: {
    perWaybill?: number;
    windowSeconds?: number;
    inFlight?: number;
    timeoutMs?: number;
    maxBodyBytes?: number;
  };
  breaker?: { failures?: number; openSeconds?: number };
}

/** Resolves one credential, reporting its own errors; `undefined` when it failed. */
export type SecretReader = (ref: Secret, path: string) => { value: string; source: string } | undefined;

const ms = (s: number | undefined) => (s === undefined ? undefined : s * 1000);
const defined = <T extends object>(o: T): Partial<T> =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;

const LOOPBACK = /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/i;

export function resolveUpstream(
  raw: RawUpstream,
  at: string,
  secret: SecretReader,
  errors: string[],
  warnings: string[],
): PullSettings | undefined {
  const before = errors.length;
  const credential = (
    field: 'customer' | 'key' | 'businessId' | 'appKey',
    needed: boolean,
  ): string | undefined => {
    const ref = raw[field];
    if (ref === undefined) {
      if (needed) errors.push(`${at}.${field}: required by the ${raw.preset} preset`);
      return undefined;
    }
    const got = secret(ref, `${at}.${field}`);
    if (got?.source === 'inline')
      warnings.push(
        `${at}.${field}: credential written in the file; use {"env": "NAME"} so the file can sit in git`,
      );
    return got?.value;
  };
  if (/^http:/i.test(raw.url) && !LOOPBACK.test(raw.url))
    warnings.push(
      `${at}.url: plain http to another host sends the credentials and the parcels' traces in clear`,
    );

  let request: RequestSettings;
  let mapping: GenericMapping | undefined;
  if (raw.preset === 'kuaidi100' || raw.preset === 'kdniao') {
    const k100 = raw.preset === 'kuaidi100';
    for (const f of ['method', 'query', 'form', 'json', 'headers', 'auth', 'response'] as const) {
      if (raw[f] !== undefined) errors.push(`${at}.${f}: only for the generic preset`);
    }
    const account = credential(k100 ? 'customer' : 'businessId', true);
    const key = credential(k100 ? 'key' : 'appKey', true);
    for (const f of k100 ? (['businessId', 'appKey'] as const) : (['customer', 'key'] as const)) {
      if (raw[f] !== undefined) errors.push(`${at}.${f}: not used by the ${raw.preset} preset`);
    }
    request = { preset: raw.preset, url: raw.url, company: raw.company, account, key };
  } else {
    for (const f of ['customer', 'key', 'businessId', 'appKey'] as const) {
      if (raw[f] !== undefined) errors.push(`${at}.${f}: not used by the generic preset; use auth`);
    }
    if (raw.form !== undefined && raw.json !== undefined)
      errors.push(`${at}.json: give form or json, not both`);
    if (raw.method === 'GET' && (raw.form !== undefined || raw.json !== undefined))
      errors.push(`${at}.method: GET sends no body; drop form/json or use POST`);
    let auth: GenericAuth = { kind: 'none' };
    if (raw.auth) {
      const { bearer, hmacSha256 } = raw.auth;
      if ((bearer === undefined) === (hmacSha256 === undefined)) {
        errors.push(`${at}.auth: give exactly one of bearer or hmacSha256`);
      } else if (bearer !== undefined) {
        const got = secret(bearer, `${at}.auth.bearer`);
        if (got) auth = { kind: 'bearer', token: got.value };
      } else {
        const got = secret(hmacSha256!, `${at}.auth.hmacSha256`);
        if (got)
          auth = {
            kind: 'hmac-sha256',
            secret: got.value,
            header: raw.auth.header ?? 'X-Signature',
            timestampHeader: raw.auth.timestampHeader ?? 'X-Timestamp',
          };
      }
    }
    if (!raw.response) errors.push(`${at}.response: required by the generic preset (where the traces are)`);
    else {
      mapping = { ...raw.response, order: raw.response.order ?? 'oldest-first' };
      try {
        compileGenericMapping(mapping);
      } catch (err) {
        errors.push(`${at}.response: ${(err as Error).message}`);
      }
    }
    request = {
      preset: 'generic',
      url: raw.url,
      company: raw.company,
      ...(raw.method ? { method: raw.method } : {}),
      ...(raw.query ? { query: raw.query } : {}),
      ...(raw.form ? { form: raw.form } : {}),
      ...(raw.json !== undefined ? { json: raw.json } : {}),
      ...(raw.headers ? { headers: raw.headers } : {}),
      auth,
    };
  }
  const c = raw.cache ?? {};
  const b = raw.budget ?? {};
  const perWaybill = b.perWaybill ?? 48;
  const windowSeconds = b.windowSeconds ?? 86_400;
  const fresh = c.freshSeconds ?? 1800;
  if (windowSeconds / fresh > perWaybill)
    warnings.push(
      `${at}.cache.freshSeconds: a hot waybill would want ${Math.ceil(windowSeconds / fresh)} refreshes per window, over budget.perWaybill ${perWaybill}: past it, stale replies are served`,
    );
  if (errors.length > before) return undefined;
  return pullSettings(request, {
    ...(mapping ? { mapping } : {}),
    ...(raw.fallbackStatus === undefined ? {} : { fallbackStatus: raw.fallbackStatus }),
    cache: defined({
      freshMs: ms(c.freshSeconds),
      signedFreshMs: ms(c.signedFreshSeconds),
      unknownFreshMs: ms(c.unknownFreshSeconds),
      maxStaleMs: ms(c.maxStaleSeconds),
      retryMs: ms(c.retrySeconds),
      maxEntries: c.maxEntries,
    }),
    budget: defined({
      perWaybill: b.perWaybill,
      windowMs: ms(b.windowSeconds),
      inFlight: b.inFlight,
      timeoutMs: b.timeoutMs,
      maxBodyBytes: b.maxBodyBytes,
    }),
    breaker: defined({ failures: raw.breaker?.failures, openMs: ms(raw.breaker?.openSeconds) }),
  });
}
