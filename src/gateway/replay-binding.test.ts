/**
 * @module
 * The replay guard as the query path uses it: what a signature is bound to, and for how long.
 * WeChat's signature covers (token, timestamp, nonce) only, so the binding to (orderid, openid,
 * carrier) is what stops a captured signature from reading another parcel within the window.
 * Tested through {@link createQueryAnswerer} with the real memory guard and a manual clock.
 */
import { describe, expect, it } from 'vitest';
import { compileWaybillPattern, type Carrier } from '../carrier/carrier.js';
import { ManualClock } from '../clock/clock.js';
import { MemoryReplayGuard } from '../guard/memory/memory-guard.js';
import { Errors } from '../protocol/errors.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { createQueryAnswerer } from './answer-query.js';

const TOKEN = 'binding-token';
const WINDOW_SECONDS = 300;
const TS = 1_780_000_000; // Unix seconds
const STORED = Buffer.from('{"err_code":0,"err_msg":"ok"}');

const carrier = (id: string): Carrier => ({
  id,
  name: id,
  tokens: [TOKEN],
  timezone: 'Asia/Shanghai',
  // Waybills of 10 to 13 digits, so a character can move between orderid and openid.
  waybillPattern: 'YT\\d{10,13}',
  waybillMatcher: compileWaybillPattern('YT\\d{10,13}'),
});

function gateway(carriers: Carrier[]) {
  const clock = new ManualClock(TS * 1000);
  const answer = createQueryAnswerer({
    carriers,
    callbacks: ['WxOrderCb'],
    windowSeconds: WINDOW_SECONDS,
    // Every waybill is known.
    replies: { getReply: () => ({ json: STORED }) },
    guard: new MemoryReplayGuard({ clock, maxEntries: 1000 }),
    clock,
  });
  /** Asks with one fixed signature (same token, timestamp and nonce) and returns the err_code. */
  const ask = async (orderid: string, openid: string, companyId?: string) => {
    const url = signedQueryUrl({
      url: '',
      token: TOKEN,
      orderid,
      openid,
      timestamp: String(TS),
      nonce: '4242',
      ...(companyId === undefined ? {} : { companyId }),
    });
    return (await answer(url.slice(1))).outcome.code;
  };
  return { clock, ask };
}

describe('replay binding', () => {
  it('serves a refresh of the same query, and refuses the signature for another parcel', async () => {
    const { ask } = gateway([carrier('yto')]);
    expect(await ask('YT1234567890', 'oUser')).toBe(Errors.OK.code);
    expect(await ask('YT1234567890', 'oUser')).toBe(Errors.OK.code);
    expect(await ask('YT1234567899', 'oUser')).toBe(Errors.REPLAYED.code);
    expect(await ask('YT1234567890', 'oOther')).toBe(Errors.REPLAYED.code);
  });

  it('keeps orderid and openid apart: a character moved across the boundary is another parcel', async () => {
    const { ask } = gateway([carrier('yto')]);
    expect(await ask('YT1234567890', '1abc')).toBe(Errors.OK.code);
    expect(await ask('YT12345678901', 'abc')).toBe(Errors.REPLAYED.code);

    const other = gateway([carrier('yto')]);
    expect(await other.ask('YT12345678901', 'abc')).toBe(Errors.OK.code);
    expect(await other.ask('YT1234567890', '1abc')).toBe(Errors.REPLAYED.code);
  });

  it('keeps openid and carrier apart: the signature cannot move to another carrier', async () => {
    const { ask } = gateway([carrier('yto'), carrier('to')]);
    expect(await ask('YT1234567890', 'oabc', 'yto')).toBe(Errors.OK.code);
    expect(await ask('YT1234567890', 'oabcy', 'to')).toBe(Errors.REPLAYED.code);
    expect(await ask('YT1234567890', 'oabc', 'to')).toBe(Errors.REPLAYED.code);
  });

  it('remembers a signature for as long as its timestamp is inside the window', async () => {
    const { clock, ask } = gateway([carrier('yto')]);
    expect(await ask('YT1234567890', 'oUser')).toBe(Errors.OK.code);
    // The last millisecond at which the timestamp is still accepted.
    clock.set((TS + WINDOW_SECONDS) * 1000);
    expect(await ask('YT1234567899', 'oUser')).toBe(Errors.REPLAYED.code);
    clock.advance(1);
    expect(await ask('YT1234567899', 'oUser')).toBe(Errors.TIMESTAMP_WINDOW.code);
  });

  it('remembers a signature first used early in the window until the window closes', async () => {
    const { clock, ask } = gateway([carrier('yto')]);
    // WeChat's clock ahead of ours: the signature arrives a full window before its timestamp.
    clock.set((TS - WINDOW_SECONDS) * 1000);
    expect(await ask('YT1234567890', 'oUser')).toBe(Errors.OK.code);
    clock.set((TS + WINDOW_SECONDS) * 1000);
    expect(await ask('YT1234567899', 'oUser')).toBe(Errors.REPLAYED.code);
  });
});
