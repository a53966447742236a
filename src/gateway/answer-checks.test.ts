/**
 * @module
 * The ordered checks of {@link createQueryAnswerer}, one refusal each, with the whole answer
 * compared: its status, its body (a constant of the catalog, nothing from the request), its
 * outcome, and what it names (the parcel once the query's shape is valid, the carrier once it is
 * routed). A spy guard and a spy source show that a refusal before step 7 touches neither.
 */
import { describe, expect, it } from 'vitest';
import { compileWaybillPattern, type Carrier } from '../carrier/carrier.js';
import { SwappableCarriers } from '../carrier/carrier-source.js';
import { ManualClock } from '../clock/clock.js';
import { MemoryReplayGuard } from '../guard/memory/memory-guard.js';
import type { ReplayGuard, ReplayVerdict } from '../guard/replay-guard.js';
import { Errors, type CatalogEntry } from '../protocol/errors.js';
import { errorBodies } from '../protocol/order-info.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import type { Reply } from '../reply/reply-source.js';
import { deflateReply } from '../view/deflated-reply.js';
import { BAD_CALLBACK_BODY, createQueryAnswerer, type QueryAnswererDeps } from './answer-query.js';

const TOKEN = 'checks-token';
const TS = 1_780_000_000;
const WINDOW = 300;
const KNOWN = 'YT1000000001';
const OTHER = 'YT1000000002';
const STORED = Buffer.from('{"err_code":0,"err_msg":"ok"}');

const carrier = (id: string, pattern = 'YT\\d{10}', extra: Partial<Carrier> = {}): Carrier => ({
  id,
  name: id,
  tokens: [TOKEN],
  timezone: 'Asia/Shanghai',
  waybillPattern: pattern,
  waybillMatcher: compileWaybillPattern(pattern),
  ...extra,
});

/** An answerer whose guard and source record every call; every waybill is stored. */
function setup(over: Partial<QueryAnswererDeps> = {}) {
  const clock = new ManualClock(TS * 1000);
  const memory = new MemoryReplayGuard({ clock, maxEntries: 100 });
  const calls: string[] = [];
  const guard: ReplayGuard = over.guard ?? {
    check: (s, b, e) => {
      calls.push(`guard ${b.replaceAll('\n', ' ')}`);
      return memory.check(s, b, e);
    },
    close: () => memory.close(),
  };
  const answer = createQueryAnswerer({
    carriers: [carrier('yto')],
    callbacks: ['WxOrderCb', 'cb2'],
    windowSeconds: WINDOW,
    replies: {
      getReply: (c, waybill) => {
        calls.push(`read ${c} ${waybill}`);
        return { json: STORED };
      },
    },
    guard,
    clock,
    ...over,
  });
  return { answer, calls, clock };
}

const query = (
  over: {
    orderid?: string;
    token?: string;
    ts?: number;
    nonce?: string;
    companyId?: string;
    callback?: string;
  } = {},
) =>
  signedQueryUrl({
    url: '',
    token: over.token ?? TOKEN,
    orderid: over.orderid ?? KNOWN,
    openid: 'oUser',
    timestamp: String(over.ts ?? TS),
    nonce: over.nonce ?? '7',
    ...(over.companyId === undefined ? {} : { companyId: over.companyId }),
    ...(over.callback === undefined ? {} : { callback: over.callback }),
  }).slice(1);

const refusal = (outcome: CatalogEntry, named: object = {}, callback = 'WxOrderCb') => ({
  status: 200,
  body: errorBodies(callback).get(outcome),
  outcome,
  ...named,
});

describe('the ordered checks', () => {
  it('1. answers a query without an allowed callback with plain HTTP 400 and a fixed text', async () => {
    const { answer, calls } = setup();
    for (const q of [query().replace('callback=WxOrderCb', 'callback=evil'), 'orderid=' + KNOWN]) {
      expect(await answer(q)).toStrictEqual({
        status: 400,
        body: 'bad request: callback missing or not allowed\n',
        outcome: Errors.BAD_CALLBACK,
      });
    }
    expect(BAD_CALLBACK_BODY).toBe('bad request: callback missing or not allowed\n');
    expect(calls).toEqual([]);
  });

  it('2. refuses a malformed parameter with 40004, through the callback the query named', async () => {
    const { answer, calls } = setup();
    const q = query({ callback: 'cb2' }).replace('openid=oUser', 'openid=o%20User');
    expect(await answer(q)).toStrictEqual(refusal(Errors.BAD_PARAMETER, {}, 'cb2'));
    expect(calls).toEqual([]);
  });

  it('3. refuses a timestamp a second outside the window with 40002, naming the parcel only', async () => {
    const { answer, calls } = setup();
    for (const ts of [TS - WINDOW - 1, TS + WINDOW + 1]) {
      expect(await answer(query({ ts }))).toStrictEqual(
        refusal(Errors.TIMESTAMP_WINDOW, { orderid: KNOWN, openid: 'oUser' }),
      );
    }
    expect(calls).toEqual([]);
    // The window's own edges are inside it.
    expect((await answer(query({ ts: TS - WINDOW }))).outcome).toBe(Errors.OK);
    expect((await answer(query({ ts: TS + WINDOW }))).outcome).toBe(Errors.OK);
  });

  it('4. refuses an unknown company_id with 40005 and a foreign waybill with 40402', async () => {
    const { answer, calls } = setup();
    const parcel = { orderid: KNOWN, openid: 'oUser' };
    expect(await answer(query({ companyId: 'SF' }))).toStrictEqual(refusal(Errors.UNKNOWN_CARRIER, parcel));
    expect(await answer(query({ orderid: 'SF1000000001' }))).toStrictEqual(
      refusal(Errors.PATTERN_MISMATCH, { orderid: 'SF1000000001', openid: 'oUser' }),
    );
    expect(calls).toEqual([]);
  });

  it("5. refuses a signature none of the carrier's tokens made with 40001, naming the carrier", async () => {
    const { answer, calls } = setup();
    expect(await answer(query({ token: 'stolen' }))).toStrictEqual(
      refusal(Errors.BAD_SIGNATURE, { orderid: KNOWN, openid: 'oUser', carrier: 'yto' }),
    );
    expect(calls).toEqual([]);
  });

  it('6. serves a test carrier its whitelist only: another stored waybill is 40401, unguarded', async () => {
    const test = carrier('yto', 'YT\\d{10}', { environment: 'test', testWaybills: new Set([KNOWN]) });
    const { answer, calls } = setup({ carriers: [test] });
    expect(await answer(query({ orderid: OTHER }))).toStrictEqual(
      refusal(Errors.UNKNOWN_WAYBILL, { orderid: OTHER, openid: 'oUser', carrier: 'yto' }),
    );
    expect(calls).toEqual([]);
    expect((await answer(query())).outcome).toBe(Errors.OK);
    expect(calls).toEqual([`guard ${KNOWN} oUser yto`, `read yto ${KNOWN}`]);
  });

  it('7. refuses with 50001, keeping the error, when the guard throws or rejects', async () => {
    const boom = new Error('guard down');
    const throwing: ReplayGuard = {
      check: () => {
        throw boom;
      },
      close: async () => {},
    };
    const rejecting: ReplayGuard = { check: () => Promise.reject(boom), close: async () => {} };
    const failing: ReplayGuard = {
      check: () => Promise.resolve('first'),
      checkSync: (): ReplayVerdict => {
        throw boom;
      },
      close: async () => {},
    };
    for (const guard of [throwing, rejecting, failing]) {
      const { answer, calls } = setup({ guard });
      expect(await answer(query())).toStrictEqual(
        refusal(Errors.INTERNAL, { orderid: KNOWN, openid: 'oUser', carrier: 'yto', error: boom }),
      );
      expect(calls).toEqual([]);
    }
  });

  it('8. serves the stored reply, plain unless the client accepts gzip', async () => {
    const deflated = deflateReply(STORED);
    const { answer } = setup({ replies: { getReply: (): Reply => ({ json: STORED, deflated }) } });
    const served = { status: 200, outcome: Errors.OK, carrier: 'yto', orderid: KNOWN, openid: 'oUser' };
    const plain = await answer(query());
    expect({ ...plain, body: Buffer.from(plain.body).toString() }).toStrictEqual({
      ...served,
      body: `WxOrderCb(${STORED.toString()})`,
    });
    expect((await answer(query(), true)).encoding).toBe('gzip');
  });
});

describe('the carriers', () => {
  it('are read from a source once per request, so a reload applies to the next one', async () => {
    const carriers = new SwappableCarriers([carrier('yto')]);
    const { answer } = setup({ carriers });
    expect(await answer(query())).toMatchObject({ outcome: Errors.OK, carrier: 'yto' });
    carriers.replace([carrier('zto', 'YT\\d{10}')]);
    expect(await answer(query({ nonce: '8' }))).toMatchObject({ outcome: Errors.OK, carrier: 'zto' });
    carriers.replace([carrier('sf', 'SF\\d{10}')]);
    expect((await answer(query({ nonce: '9' }))).outcome).toBe(Errors.PATTERN_MISMATCH);
  });
});
