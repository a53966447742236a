import { describe, expect, it } from 'vitest';
import { parseRawQuery, readTrackQuery } from './query.js';

const ALLOWED = new Set(['WxOrderCb']);
const SIG = 'a'.repeat(40);
const base = `orderid=YT1234567890&openid=oABC_def-123&signature=${SIG}&timestamp=1700000000&nonce=123&callback=WxOrderCb`;

describe('parseRawQuery', () => {
  it('keeps every value of a repeated name', () => {
    expect(parseRawQuery('a=1&a=2&b=3').get('a')).toEqual(['1', '2']);
  });

  it("accepts the spec's `orderid==xxx` typo as orderid xxx", () => {
    expect(parseRawQuery('orderid==YT1&x=1').get('orderid')).toEqual(['YT1']);
  });

  it('strips the extra = only for orderid', () => {
    expect(parseRawQuery('openid==abc').get('openid')).toEqual(['=abc']);
  });

  it('decodes percent-escapes and +', () => {
    expect(parseRawQuery('a=%E8%BF%90+x').get('a')).toEqual(['运 x']);
  });

  it('turns a broken escape into a value no rule accepts, instead of dropping it', () => {
    expect(parseRawQuery('nonce=%E0%A4%A').get('nonce')).toEqual(['\u0000']);
  });
});

describe('readTrackQuery', () => {
  const read = (qs: string) => readTrackQuery(parseRawQuery(qs), ALLOWED);

  it('reads a well-formed query', () => {
    expect(read(base + '&company_id=YTO')).toEqual({
      ok: true,
      query: {
        orderid: 'YT1234567890',
        openid: 'oABC_def-123',
        signature: SIG,
        timestamp: '1700000000',
        nonce: '123',
        callback: 'WxOrderCb',
        companyId: 'YTO',
      },
    });
  });

  it.each([
    ['missing', base.replace('&callback=WxOrderCb', '')],
    ['not allowed', base.replace('callback=WxOrderCb', 'callback=alert')],
    ['repeated', base + '&callback=WxOrderCb'],
    ['empty', base.replace('callback=WxOrderCb', 'callback=')],
  ])('flags a %s callback before anything else', (_n, qs) => {
    expect(read(qs.replace('nonce=123', 'nonce=bad!'))).toEqual({ ok: false, problem: 'callback' });
  });

  it.each(['orderid', 'openid', 'signature', 'timestamp', 'nonce'])('flags a missing %s', (name) => {
    const qs = base
      .split('&')
      .filter((p) => !p.startsWith(name + '='))
      .join('&');
    expect(read(qs)).toEqual({ ok: false, problem: 'parameter', callback: 'WxOrderCb' });
  });

  it.each([
    'orderid=YT2',
    'openid=o2',
    `signature=${'b'.repeat(40)}`,
    'timestamp=1',
    'nonce=9',
    'company_id=A&company_id=B',
  ])('flags a repeated parameter (%s)', (extra) => {
    expect(read(base + '&' + extra)).toMatchObject({ ok: false, problem: 'parameter' });
  });

  it.each([
    ['orderid over 64 characters', base.replace('YT1234567890', 'Y'.repeat(65))],
    ['orderid with a space', base.replace('YT1234567890', 'YT+1')],
    ['openid with a quote', base.replace('oABC_def-123', 'o%22x')],
    ['company_id with a slash', base + '&company_id=a%2Fb'],
  ])('flags a malformed value: %s', (_n, qs) => {
    expect(read(qs)).toMatchObject({ ok: false, problem: 'parameter' });
  });

  it('accepts a 64-character orderid', () => {
    expect(read(base.replace('YT1234567890', 'Y'.repeat(64))).ok).toBe(true);
  });
});
