import { describe, expect, it } from 'vitest';
import { readTrackQuery } from './query.js';

const ALLOWED = new Set(['WxOrderCb']);
const SIG = 'a'.repeat(40);
const base = `orderid=YT1234567890&openid=oABC_def-123&signature=${SIG}&timestamp=1700000000&nonce=123&callback=WxOrderCb`;

describe('readTrackQuery', () => {
  const read = (qs: string) => readTrackQuery(qs, ALLOWED);

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

  it("accepts the spec's `orderid==xxx` typo as orderid xxx", () => {
    const r = read(base.replace('orderid=', 'orderid=='));
    expect(r.ok && r.query.orderid).toBe('YT1234567890');
  });

  it('takes the extra = only on orderid', () => {
    expect(read(base.replace('openid=', 'openid=='))).toMatchObject({ ok: false, problem: 'parameter' });
  });

  it('decodes percent-escapes and +, in names and values', () => {
    const r = read(base.replace('openid=oABC_def-123', 'open%69d=o%41BC').replace('nonce=123', 'nonce=1%32'));
    expect(r.ok && [r.query.openid, r.query.nonce]).toEqual(['oABC', '12']);
    expect(read(base.replace('YT1234567890', 'YT+1'))).toMatchObject({ ok: false, problem: 'parameter' });
  });

  it('refuses a broken escape rather than dropping the parameter', () => {
    expect(read(base.replace('nonce=123', 'nonce=%E0%A4%A'))).toMatchObject({
      ok: false,
      problem: 'parameter',
    });
    expect(read(base.replace('callback=WxOrderCb', 'callback=%E0%A4%A'))).toEqual({
      ok: false,
      problem: 'callback',
    });
  });

  it('refuses a repeat even when the first copy was undecodable', () => {
    expect(read(base + '&nonce=%ZZ&nonce=5')).toMatchObject({ ok: false, problem: 'parameter' });
  });

  it('ignores parameters it does not read, and empty pairs', () => {
    const r = read('&&' + base + '&utm_source=wx&flag&&');
    expect(r.ok).toBe(true);
  });

  it.each([
    ['bare, then with a value', `signature&${base}`],
    ['with a value, then bare at the end', `${base}&signature`],
    ['bare twice', base.replace(`signature=${SIG}`, 'signature&signature')],
  ])('refuses a parameter given twice, one copy without `=` (%s)', (_n, qs) => {
    expect(read(qs)).toEqual({ ok: false, problem: 'parameter', callback: 'WxOrderCb' });
  });

  it('reads a bare name as an empty value, which no parameter accepts', () => {
    expect(read(base.replace(`signature=${SIG}`, 'signature'))).toEqual({
      ok: false,
      problem: 'parameter',
      callback: 'WxOrderCb',
    });
  });

  it('decodes a value that starts with an escape', () => {
    const r = read(base.replace('orderid=YT1234567890', 'orderid=%59T1234567890'));
    expect(r.ok && r.query.orderid).toBe('YT1234567890');
  });

  it.each([
    ['an undecodable escape', 'orderid=%zzSF123'],
    ['a `+` (a space)', 'orderid=+SF123'],
    ['an escaped space', 'orderid=%20SF123'],
  ])('never takes a value that starts with %s as it is', (_n, pair) => {
    expect(read(base.replace('orderid=YT1234567890', pair))).toEqual({
      ok: false,
      problem: 'parameter',
      callback: 'WxOrderCb',
    });
  });

  it('refuses an undecodable company_id instead of routing without it', () => {
    expect(read(base + '&company_id=%zz')).toEqual({
      ok: false,
      problem: 'parameter',
      callback: 'WxOrderCb',
    });
    expect(read(base + '&company_id=%59TO')).toMatchObject({ ok: true, query: { companyId: 'YTO' } });
  });

  it('ignores a name that does not decode, and decodes an escaped name', () => {
    expect(read(base + '&%zz=1').ok).toBe(true);
    expect(read(base.replace('nonce=', 'non%63e='))).toMatchObject({ ok: true, query: { nonce: '123' } });
  });

  it.each([
    ['undecodable first', 'callback=%zz&callback=WxOrderCb'],
    ['undecodable second', 'callback=WxOrderCb&callback=%zz'],
  ])('answers a repeated callback (%s) with the plain 400, not JSONP', (_n, pairs) => {
    expect(read(base.replace('callback=WxOrderCb', pairs))).toEqual({ ok: false, problem: 'callback' });
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'ignores a repeated %s like any other name it does not read',
    (name) => {
      const r = read(`${name}=a&${base}&${name}=b`);
      expect(r).toMatchObject({ ok: true, query: { orderid: 'YT1234567890', nonce: '123' } });
    },
  );

  it('refuses an empty or undecodable value of every parameter it reads', () => {
    for (const name of ['orderid', 'openid', 'signature', 'timestamp', 'nonce']) {
      const qs = base.replace(new RegExp(`${name}=[^&]*`), `${name}=%zz`);
      expect(read(qs), name).toEqual({ ok: false, problem: 'parameter', callback: 'WxOrderCb' });
    }
  });
});
