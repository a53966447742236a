/**
 * @module
 * Every answer given once the query is routed names the carrier and the parcel (orderid, openid):
 * the access log and the per-carrier metrics read them from the answer, refusals included.
 */
import { describe, expect, it } from 'vitest';
import { compileWaybillPattern, type Carrier } from '../carrier/carrier.js';
import { ManualClock } from '../clock/clock.js';
import { MemoryReplayGuard } from '../guard/memory/memory-guard.js';
import { Errors } from '../protocol/errors.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { createQueryAnswerer } from './answer-query.js';

const TOKEN = 'context-token';
const TS = 1_780_000_000;
const KNOWN = 'YT1000000001';

const carrier: Carrier = {
  id: 'yto',
  name: 'yto',
  tokens: [TOKEN],
  timezone: 'Asia/Shanghai',
  waybillPattern: 'YT\\d{10}',
  waybillMatcher: compileWaybillPattern('YT\\d{10}'),
};

function answerer(c: Carrier) {
  const clock = new ManualClock(TS * 1000);
  const answer = createQueryAnswerer({
    carriers: [c],
    callbacks: ['WxOrderCb'],
    windowSeconds: 300,
    replies: {
      getReply: (_carrier, waybill) =>
        Promise.resolve(waybill === KNOWN ? { json: Buffer.from('{}') } : undefined),
    },
    guard: new MemoryReplayGuard({ clock, maxEntries: 100 }),
    clock,
  });
  return (orderid: string, over: { token?: string; nonce?: string; openid?: string } = {}) =>
    answer(
      signedQueryUrl({
        url: '',
        token: over.token ?? TOKEN,
        orderid,
        openid: over.openid ?? 'oUser',
        timestamp: String(TS),
        nonce: over.nonce ?? '1',
      }).slice(1),
    );
}

describe('the answer names the carrier and the parcel', () => {
  it.each([
    ['served', KNOWN, {}, Errors.OK],
    ['bad signature', KNOWN, { token: 'other' }, Errors.BAD_SIGNATURE],
    ['unknown waybill', 'YT1000000002', {}, Errors.UNKNOWN_WAYBILL],
  ] as const)('%s', async (_n, orderid, over, outcome) => {
    const a = await answerer(carrier)(orderid, over);
    expect(a).toMatchObject({ outcome, carrier: 'yto', orderid, openid: 'oUser' });
  });

  it('replayed', async () => {
    const ask = answerer(carrier);
    await ask(KNOWN);
    const a = await ask('YT1000000003');
    expect(a).toMatchObject({
      outcome: Errors.REPLAYED,
      carrier: 'yto',
      orderid: 'YT1000000003',
      openid: 'oUser',
    });
  });

  it('a waybill off the whitelist of a carrier in test mode', async () => {
    const a = await answerer({ ...carrier, environment: 'test', testWaybills: new Set([KNOWN]) })(
      'YT1000000004',
    );
    expect(a).toMatchObject({ outcome: Errors.UNKNOWN_WAYBILL, carrier: 'yto', orderid: 'YT1000000004' });
  });
});
