import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../api/api-keys.js';
import { fixtureCarrier } from '../../testing/gateway-fixture.js';
import { apiHarness, WECHAT_TOKEN, wireEvent, type ApiHarness } from './testing/api-harness.js';
import { replyOf } from '../../testing/render-reply.js';

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(() => h.close());

const call = (method: 'POST' | 'GET' | 'PUT' | 'DELETE', url: string, authorization?: string) =>
  h.app.inject({
    method,
    url,
    headers: authorization === undefined ? {} : { authorization },
    ...(method === 'POST'
      ? { payload: [wireEvent()] }
      : method === 'PUT'
        ? { payload: { eta: '2026-08-01' } }
        : {}),
  });

const ROUTES = [
  ['POST', '/v1/events'],
  ['GET', '/v1/waybills/YT1234567890123'],
  ['PUT', '/v1/waybills/YT1234567890123'],
  ['DELETE', '/v1/waybills/YT1234567890123'],
] as const;

describe('Bearer API keys', () => {
  it('accepts a valid key', async () => {
    expect((await call('POST', '/v1/events', h.auth)).statusCode).toBe(200);
  });

  for (const [method, url] of ROUTES) {
    it(`answers 401 on ${method} ${url} without a key, with an unknown or malformed one`, async () => {
      const unknown = generateApiKey('other', 'default', 0).key;
      for (const authorization of [
        undefined,
        '',
        'Bearer',
        `Bearer ${unknown}`,
        `Basic ${h.auth.slice(7)}`,
        h.auth + 'x',
      ]) {
        const res = await call(method, url, authorization);
        expect(res.statusCode, String(authorization)).toBe(401);
        expect(res.json()).toMatchObject({ statusCode: 401, code: 'WXT_UNAUTHORIZED' });
        expect(res.headers['www-authenticate']).toBe('Bearer realm="wxtrack"');
        expect(res.headers['cache-control']).toBe('no-store');
      }
      expect(await h.store.readWaybill('default', 'YT1234567890123')).toBeUndefined();
    });
  }

  it('answers 401 once the key is revoked', async () => {
    expect((await call('POST', '/v1/events', h.auth)).statusCode).toBe(200);
    await h.store.revokeApiKey('test', h.clock.now());
    expect((await call('POST', '/v1/events', h.auth)).statusCode).toBe(401);
    expect((await call('GET', '/v1/waybills/YT1234567890123', h.auth)).statusCode).toBe(401);
  });

  it('never takes the WeChat token as an ingest credential', async () => {
    expect((await call('POST', '/v1/events', `Bearer ${WECHAT_TOKEN}`)).statusCode).toBe(401);
  });

  it('rejects a key whose id is known but whose secret is wrong', async () => {
    const key = h.auth.slice('Bearer '.length);
    const forged = key.slice(0, -4) + (key.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await call('POST', '/v1/events', `Bearer ${forged}`)).statusCode).toBe(401);
  });

  it('accepts the scheme in any case', async () => {
    expect((await call('POST', '/v1/events', h.auth.replace('Bearer', 'bearer'))).statusCode).toBe(200);
  });

  it('writes to the carrier of the key, and reads only that carrier', async () => {
    await h.close();
    h = await apiHarness({ carriers: [fixtureCarrier({ id: 'default' }), fixtureCarrier({ id: 'sf' })] });
    const sf = generateApiKey('sf-key', 'sf', 0);
    await h.store.addApiKey(sf.record);
    await call('POST', '/v1/events', `Bearer ${sf.key}`);
    expect(await replyOf(h.store, 'sf', 'YT1234567890123')).toBeDefined();
    expect(await replyOf(h.store, 'default', 'YT1234567890123')).toBeUndefined();
    expect((await call('GET', '/v1/waybills/YT1234567890123', h.auth)).statusCode).toBe(404);
  });

  it('refuses, with 403 and nothing stored, a key whose carrier the configuration does not serve', async () => {
    // `keys create --carrier yto` beside a configuration whose carrier is YTO: ids are exact.
    const yto = generateApiKey('yto-key', 'yto', 0);
    await h.store.addApiKey(yto.record);
    for (const [method, url] of ROUTES) {
      const res = await call(method, url, `Bearer ${yto.key}`);
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json()).toMatchObject({ code: 'WXT_CARRIER_NOT_SERVED' });
    }
    expect(await replyOf(h.store, 'yto', 'YT1234567890123')).toBeUndefined();
  });
});
