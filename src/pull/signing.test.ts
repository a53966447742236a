import { describe, expect, it } from 'vitest';
import { hmacCanonical, hmacSha256Hex, kdniaoDataSign, kuaidi100Sign } from './signing.js';
import { buildUpstreamRequest } from './upstream-request.js';

// Expected values computed outside Node: `printf … | md5sum`, `| base64`, `openssl dgst -hmac`.
describe('signatures', () => {
  it('kuaidi100: upper(md5(param + key + customer))', () => {
    expect(kuaidi100Sign('{"com":"yuantong","num":"YT1"}', 'KEY', 'CUST')).toBe(
      'D9EB95D60746740CF358AB88BCC4E00B',
    );
  });
  it('kdniao: base64 of the md5 hex text, urlencoded by the form', () => {
    const sign = kdniaoDataSign('{"ShipperCode":"YTO","LogisticCode":"YT1"}', 'APPKEY');
    expect(sign).toBe('YjEzNzIxZDA2MGM5NDQ0NWFmZmUzYjk0ZjQ0MzI5NmE=');
    const req = buildUpstreamRequest(
      { preset: 'kdniao', url: 'http://x/', company: 'YTO', account: '1', key: 'APPKEY' },
      'YT1',
      'yto',
      0,
    );
    expect(req.body).toContain('DataSign=YjEzNzIxZDA2MGM5NDQ0NWFmZmUzYjk0ZjQ0MzI5NmE%3D');
  });
  it('generic HMAC-SHA256 over method, path, timestamp and body', () => {
    expect(hmacSha256Hex('sec', hmacCanonical('GET', '/t?a=1', '1700000000', 'b'))).toBe(
      '4acd9882b0c274cbe8831f7bd6ff83bab8a688a59a86bd628befe1f097511384',
    );
  });
});

describe('request templates', () => {
  it('a waybill fills a template as text and cannot change the request structure', () => {
    const req = buildUpstreamRequest(
      {
        preset: 'generic',
        url: 'https://api.example/track/{waybill}',
        company: 'YTO',
        query: { c: '{company}', who: '{carrier}' },
        json: { no: '{waybill}', list: ['{company}'] },
      },
      'A&b=1/"x',
      'yto',
      0,
    );
    expect(req.method).toBe('POST');
    const url = new URL(req.url);
    expect(url.searchParams.get('c')).toBe('YTO');
    expect(url.searchParams.get('who')).toBe('yto');
    expect(url.searchParams.get('b')).toBeNull();
    expect(JSON.parse(req.body!)).toEqual({ no: 'A&b=1/"x', list: ['YTO'] });
  });
});
