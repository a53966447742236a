import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import type { ReplySource } from '../reply/reply-source.js';
import type { UpstreamHttp } from './http-client.js';
import { PullCarrier } from './pull-carrier.js';
import { pullSettings } from './pull-settings.js';
import { NO_STORE, routeReplies } from './pull-reply-source.js';

const TIERS = { ownerKey: undefined, owners: undefined, masks: () => true };

describe('routeReplies', () => {
  // An HTTP client that answers "no such waybill" without a socket: routing only.
  const http: UpstreamHttp = {
    send: () =>
      Promise.resolve({ ok: true, status: 200, body: Buffer.from('{"result":false,"returnCode":"500"}') }),
    close: () => undefined,
  };
  const pc = new PullCarrier({
    carrier: { id: 'P', timezone: 'Asia/Shanghai' },
    settings: pullSettings({
      preset: 'kuaidi100',
      url: 'http://127.0.0.1:9/',
      company: 'c',
      account: 'a',
      key: 'k',
    }),
    clock: new ManualClock(0),
    http,
  });
  const asked: string[] = [];
  const store: ReplySource = {
    getReply: (carrier, waybill) => {
      asked.push(carrier + ':' + waybill);
      return { json: Buffer.from('{}') };
    },
  };

  it('sends pull carriers to their upstream and every other carrier to the store', async () => {
    const source = routeReplies(new Map([['P', pc]]), store, TIERS);
    expect(await source.getReply('P', 'W1', 'o')).toBeUndefined();
    expect(await source.getReply('S', 'W2', 'o')).toEqual({ json: Buffer.from('{}') });
    expect(asked).toEqual(['S:W2']);
  });

  it('is the store itself when no carrier pulls; NO_STORE refuses loudly', () => {
    expect(routeReplies(new Map(), store, TIERS)).toBe(store);
    expect(() => NO_STORE.getReply('S', 'W', 'o')).toThrow(/no store is configured/);
  });
});
