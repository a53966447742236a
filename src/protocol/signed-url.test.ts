/**
 * @module
 * The URL `wxtrack sign`, the demo and the conformance checker build must be the query WeChat
 * sends: its parameters in the template's order, signed, and readable by the gateway's parser.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_CALLBACK } from './jsonp.js';
import { readTrackQuery } from './query.js';
import { computeSignature } from './signature.js';
import { signedQueryParams, signedQueryUrl } from './signed-url.js';

const input = {
  token: 'tok',
  orderid: 'YT1234567890123',
  openid: 'oUser_1',
  timestamp: '1780000000',
  nonce: '42',
};

describe('signedQueryParams', () => {
  it("lists WeChat's parameters in its template's order, signed, with the default callback", () => {
    expect(signedQueryParams(input)).toEqual([
      ['orderid', 'YT1234567890123'],
      ['openid', 'oUser_1'],
      ['signature', computeSignature('tok', '1780000000', '42')],
      ['timestamp', '1780000000'],
      ['nonce', '42'],
      ['callback', DEFAULT_CALLBACK],
    ]);
  });

  it('adds company_id last, and only when given', () => {
    const params = signedQueryParams({ ...input, companyId: 'YTO', callback: 'cb2' });
    expect(params.slice(5)).toEqual([
      ['callback', 'cb2'],
      ['company_id', 'YTO'],
    ]);
  });
});

describe('signedQueryUrl', () => {
  it('appends the query with ? to a bare endpoint, and the gateway reads it back', () => {
    const url = signedQueryUrl({ ...input, url: 'https://t.example.com/wechat/track', companyId: 'YTO' });
    const signature = computeSignature('tok', '1780000000', '42');
    expect(url).toBe(
      'https://t.example.com/wechat/track?orderid=YT1234567890123&openid=oUser_1' +
        `&signature=${signature}&timestamp=1780000000&nonce=42&callback=WxOrderCb&company_id=YTO`,
    );
    const read = readTrackQuery(url.slice(url.indexOf('?') + 1), new Set([DEFAULT_CALLBACK]));
    expect(read).toEqual({
      ok: true,
      query: {
        orderid: input.orderid,
        openid: input.openid,
        signature,
        timestamp: input.timestamp,
        nonce: input.nonce,
        callback: DEFAULT_CALLBACK,
        companyId: 'YTO',
      },
    });
  });

  it('continues an endpoint that already has a query with &', () => {
    const url = signedQueryUrl({ ...input, url: 'https://t.example.com/track?carrier=yto' });
    expect(url.startsWith('https://t.example.com/track?carrier=yto&orderid=YT1234567890123&')).toBe(true);
  });

  it('percent-encodes what a URL cannot carry as it is', () => {
    const url = signedQueryUrl({ ...input, url: '', orderid: 'A&B=C 1' });
    expect(url.startsWith('?orderid=A%26B%3DC+1&openid=')).toBe(true);
  });
});
