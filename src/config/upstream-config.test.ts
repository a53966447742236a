import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from './config-file.js';
import { summarizeConfig } from './config-summary.js';

const ENV = {
  YTO_WECHAT_TOKEN: 'yto-wechat-token',
  ZTO_WECHAT_TOKEN: 'zto-wechat-token',
  SX_WECHAT_TOKEN: 'sx-wechat-token',
  KUAIDI100_CUSTOMER: 'CUSTOMER-SECRET-1',
  KUAIDI100_KEY: 'KEY-SECRET-1',
  KDNIAO_EBUSINESS_ID: '1234567',
  SX_TRACKING_HMAC: 'HMAC-SECRET-1',
};
const readFile = (path: string) => {
  if (path === '/run/secrets/kdniao_app_key') return 'APPKEY-SECRET-1\n';
  throw new Error('no such file');
};
const example = (name: string) => readFileSync(`docs/examples/pull-${name}.config.json`, 'utf8');

describe('source.upstream in the configuration file', () => {
  it('the documented Kuaidi100 configuration loads, its credentials from the environment', () => {
    const r = parseConfigText(example('kuaidi100'), { env: ENV, readFile });
    expect(r.ok && r.config.warnings).toEqual([]);
    if (!r.ok) return;
    const up = r.config.carriers[0]!.upstream!;
    expect(up.request).toMatchObject({
      preset: 'kuaidi100',
      company: 'yuantong',
      account: 'CUSTOMER-SECRET-1',
      key: 'KEY-SECRET-1',
    });
    expect(up.cache).toMatchObject({ freshMs: 1_800_000, signedFreshMs: 86_400_000, maxStaleMs: 7_200_000 });
    expect(up.budget).toMatchObject({ perWaybill: 48, windowMs: 86_400_000, inFlight: 32, timeoutMs: 2000 });
    const summary = summarizeConfig('f', r.config);
    expect(summary).toContain('source        upstream kuaidi100 at poll.kuaidi100.com (company yuantong)');
    expect(summary).not.toMatch(/SECRET/);
  });

  it('the documented Kdniao configuration loads, its AppKey from a secret file', () => {
    const r = parseConfigText(example('kdniao'), { env: ENV, readFile });
    expect(r.ok && r.config.warnings).toEqual([]);
    if (r.ok)
      expect(r.config.carriers[0]!.upstream!.request).toMatchObject({
        preset: 'kdniao',
        account: '1234567',
        key: 'APPKEY-SECRET-1',
      });
  });

  it('the documented generic configuration loads with its mapping and HMAC', () => {
    const r = parseConfigText(example('generic'), { env: ENV, readFile });
    expect(r.ok && r.config.warnings).toEqual([]);
    if (!r.ok) return;
    const up = r.config.carriers[0]!.upstream!;
    expect(up.request.auth).toEqual({
      kind: 'hmac-sha256',
      secret: 'HMAC-SECRET-1',
      header: 'X-Signature',
      timestampHeader: 'X-Timestamp',
    });
    expect(up.mapping?.order).toBe('newest-first');
  });

  it('"store" or no source is the store', () => {
    const base = JSON.parse(example('kuaidi100')) as { carriers: Record<string, unknown>[] };
    base.carriers[0]!.source = 'store';
    const r = parseConfigText(JSON.stringify(base), { env: ENV });
    expect(r.ok && r.config.carriers[0]!.upstream).toBeUndefined();
  });

  it('refuses a missing credential, fields of another preset and a bad path, without printing a secret', () => {
    const base = JSON.parse(example('kuaidi100')) as {
      carriers: { source: { upstream: Record<string, unknown> } }[];
    };
    const up = base.carriers[0]!.source.upstream;
    delete up.key;
    up.appKey = 'x';
    const r = parseConfigText(JSON.stringify(base), { env: ENV });
    expect(r.ok).toBe(false);
    const errors = (r.ok ? [] : r.errors).join('\n');
    expect(errors).toMatch(/upstream\.key: required by the kuaidi100 preset/);
    expect(errors).toMatch(/upstream\.appKey: not used by the kuaidi100 preset/);
    expect(errors).not.toContain('CUSTOMER-SECRET-1');
    delete up.appKey;
    up.key = { env: 'KUAIDI100_KEY' };
    up.preset = 'generic';
    delete up.customer;
    up.response = { traces: 'a..b', time: 't', text: 'x', statusCodes: { A: 1 } };
    const bad = parseConfigText(JSON.stringify(base), { env: ENV });
    expect((bad.ok ? [] : bad.errors).join('\n')).toMatch(/source\.upstream\.response\.traces/);
  });

  it('names an unset variable, warns about inline credentials, plain http and a budget the freshness would exceed', () => {
    const base = JSON.parse(example('kuaidi100')) as {
      carriers: { source: { upstream: Record<string, unknown> } }[];
    };
    const up = base.carriers[0]!.source.upstream;
    const unset = parseConfigText(JSON.stringify(base), { env: { YTO_WECHAT_TOKEN: 'yto-wechat-token' } });
    expect(unset.ok ? [] : unset.errors).toContain(
      'carriers[0].source.upstream.customer: environment variable KUAIDI100_CUSTOMER is not set',
    );
    up.key = 'INLINE-KEY';
    up.url = 'http://tracking.example.com/q';
    up.cache = { freshSeconds: 60 };
    const r = parseConfigText(JSON.stringify(base), { env: ENV });
    expect(r.ok).toBe(true);
    const warnings = r.ok ? r.config.warnings.join('\n') : '';
    expect(warnings).toMatch(/upstream\.key: credential written in the file/);
    expect(warnings).toMatch(/upstream\.url: plain http/);
    expect(warnings).toMatch(/1440 refreshes per window, over budget.perWaybill 48/);
    expect(warnings).not.toContain('INLINE-KEY');
  });
});
