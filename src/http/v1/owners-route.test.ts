import { afterEach, describe, expect, it } from 'vitest';
import { hashOpenid } from '../../privacy/openid-hash.js';
import { ownerBindingsOf } from './owners-route.js';
import { apiHarness, wireEvent, type ApiHarness } from './testing/api-harness.js';

const KEY = 'an-owner-key-of-32-characters!!!';
const W = 'YT1234567890123';
const OPENID = 'omJOjjvB9iYTYiEKp7GFfweffQPmdU';

let h: ApiHarness;
afterEach(() => h.close());

const req = (method: 'PUT' | 'DELETE' | 'POST', url: string, payload?: unknown) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: h.auth },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

describe('PUT/DELETE /v1/waybills/:waybill/owners without an owner key', () => {
  it('refuses with 503 and says how to set the key', async () => {
    h = await apiHarness();
    await req('POST', '/v1/events', [wireEvent()]);
    const res = await req('PUT', `/v1/waybills/${W}/owners`, { openid: OPENID });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ code: 'WXT_OWNERS_NOT_CONFIGURED' });
    expect(res.body).toContain('WXTRACK_OWNER_KEY');
  });
});

const bindings = () => ownerBindingsOf(h.store);

describe('PUT/DELETE /v1/waybills/:waybill/owners', () => {
  it('binds an owner after the courier pushed the waybill, and stores only the keyed hash', async () => {
    h = await apiHarness({ ownerKey: KEY });
    if (!bindings()) return expect.fail('the store keeps no owner bindings');
    await req('POST', '/v1/events', [wireEvent()]);
    const res = await req('PUT', `/v1/waybills/${W}/owners`, { openid: OPENID });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ bound: true });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).not.toContain(OPENID);
    expect(await bindings()!.isOwner('default', W, hashOpenid(KEY, 'default', OPENID))).toBe(true);
  });

  it('unbinds, once', async () => {
    h = await apiHarness({ ownerKey: KEY });
    if (!bindings()) return expect.fail('the store keeps no owner bindings');
    await req('POST', '/v1/events', [wireEvent()]);
    await req('PUT', `/v1/waybills/${W}/owners`, { openid: OPENID });
    expect((await req('DELETE', `/v1/waybills/${W}/owners`, { openid: OPENID })).json()).toEqual({
      unbound: true,
    });
    expect((await req('DELETE', `/v1/waybills/${W}/owners`, { openid: OPENID })).json()).toEqual({
      unbound: false,
    });
    expect(await bindings()!.isOwner('default', W, hashOpenid(KEY, 'default', OPENID))).toBe(false);
  });

  it('refuses an unknown waybill (404), a bad body (400) and a bad waybill number (400), echoing nothing', async () => {
    h = await apiHarness({ ownerKey: KEY });
    const unknown = await req('PUT', `/v1/waybills/${W}/owners`, { openid: OPENID });
    expect(unknown.statusCode).toBe(404);
    await req('POST', '/v1/events', [wireEvent()]);
    for (const body of [
      {},
      { openid: '' },
      { openid: 'has space' },
      { openid: OPENID, extra: 1 },
      [OPENID],
    ]) {
      const res = await req('PUT', `/v1/waybills/${W}/owners`, body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'WXT_BAD_OWNER' });
      expect(res.body).not.toContain(OPENID);
    }
    expect((await req('PUT', `/v1/waybills/${'x'.repeat(65)}/owners`, { openid: OPENID })).statusCode).toBe(
      400,
    );
  });

  it("erases a waybill's owners with it (DELETE /v1/waybills/:waybill)", async () => {
    h = await apiHarness({ ownerKey: KEY });
    if (!bindings()) return expect.fail('the store keeps no owner bindings');
    await req('POST', '/v1/events', [wireEvent()]);
    await req('PUT', `/v1/waybills/${W}/owners`, { openid: OPENID });
    expect((await req('DELETE', `/v1/waybills/${W}`)).statusCode).toBe(200);
    await req('POST', '/v1/events', [wireEvent({ event_id: 'again' })]);
    expect(await bindings()!.isOwner('default', W, hashOpenid(KEY, 'default', OPENID))).toBe(false);
  });
});
