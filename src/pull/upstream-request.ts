/**
 * @module
 * From a waybill to the HTTP request its upstream expects, per preset. Pure: the clock's reading
 * is passed in (the generic HMAC signs a timestamp), and nothing is sent here (http-client.ts).
 */
import type { RequestSettings } from './pull-settings.js';
import { hmacCanonical, hmacSha256Hex, kdniaoDataSign, kuaidi100Sign } from './signing.js';
import { fillJson, fillTemplate, type TemplateValues } from './template.js';

export interface UpstreamRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';

const form = (fields: Record<string, string>): string => new URLSearchParams(fields).toString();

export function buildUpstreamRequest(
  settings: RequestSettings,
  waybill: string,
  carrier: string,
  nowMs: number,
): UpstreamRequest {
  const values: TemplateValues = { waybill, company: settings.company, carrier };
  switch (settings.preset) {
    case 'kuaidi100': {
      const param = JSON.stringify({ com: settings.company, num: waybill, resultv2: '1' });
      const customer = settings.account ?? '';
      const sign = kuaidi100Sign(param, settings.key ?? '', customer);
      return {
        url: settings.url,
        method: 'POST',
        headers: { 'content-type': FORM },
        body: form({ customer, sign, param }),
      };
    }
    case 'kdniao': {
      const requestData = JSON.stringify({ ShipperCode: settings.company, LogisticCode: waybill });
      return {
        url: settings.url,
        method: 'POST',
        headers: { 'content-type': FORM },
        body: form({
          RequestData: requestData,
          EBusinessID: settings.account ?? '',
          RequestType: '1002',
          DataSign: kdniaoDataSign(requestData, settings.key ?? ''),
          DataType: '2',
        }),
      };
    }
    case 'generic':
      return genericRequest(settings, values, nowMs);
  }
}

function genericRequest(settings: RequestSettings, values: TemplateValues, nowMs: number): UpstreamRequest {
  const url = new URL(fillTemplate(settings.url, values));
  for (const [k, v] of Object.entries(settings.query ?? {})) url.searchParams.set(k, fillTemplate(v, values));
  const method = settings.method ?? (settings.form || settings.json !== undefined ? 'POST' : 'GET');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(settings.headers ?? {}))
    headers[k.toLowerCase()] = fillTemplate(v, values);
  let body: string | undefined;
  if (settings.form) {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(settings.form)) fields[k] = fillTemplate(v, values);
    body = form(fields);
    headers['content-type'] = FORM;
  } else if (settings.json !== undefined) {
    body = JSON.stringify(fillJson(settings.json, values));
    headers['content-type'] = 'application/json';
  }
  const auth = settings.auth ?? { kind: 'none' };
  if (auth.kind === 'bearer') headers.authorization = 'Bearer ' + auth.token;
  if (auth.kind === 'hmac-sha256') {
    const timestamp = String(Math.floor(nowMs / 1000));
    const canonical = hmacCanonical(method, url.pathname + url.search, timestamp, body ?? '');
    headers[auth.timestampHeader.toLowerCase()] = timestamp;
    headers[auth.header.toLowerCase()] = hmacSha256Hex(auth.secret, canonical);
  }
  return { url: url.toString(), method, headers, ...(body === undefined ? {} : { body }) };
}
