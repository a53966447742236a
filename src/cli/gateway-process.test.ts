import { describe, expect, it } from 'vitest';
import { compileWaybillPattern, type Carrier } from '../carrier/carrier.js';
import { SwappableCarriers } from '../carrier/carrier-source.js';
import { ManualClock } from '../clock/clock.js';
import { parseJsonpBody } from '../protocol/jsonp.js';
import { event } from '../store/store.case.test.js';
import { openStore } from './gateway-process.js';

const carrier = (id: string, over: Partial<Carrier> = {}): Carrier => ({
  id,
  name: id,
  tokens: ['t-' + id],
  waybillPattern: 'YT\\d{13}',
  waybillMatcher: compileWaybillPattern('YT\\d{13}'),
  timezone: 'Asia/Shanghai',
  ...over,
});

const addresses = (json: string) =>
  (parseJsonpBody('WxOrderCb(' + json + ')') as { traces: { accept_address: string }[] }).traces.map(
    (t) => t.accept_address,
  );

describe('openStore', () => {
  it("renders each carrier's replies with its own trace options, as in force when rendered", async () => {
    const source = new SwappableCarriers([
      carrier('NEW', { trace: { order: 'newest-first', address: 'description' } }),
      carrier('OLD'),
    ]);
    const store = openStore({ dbPath: ':memory:', carriers: source.current() }, new ManualClock(0), source);
    const two = (id: string) => [
      event({ eventId: `${id}1`, description: 'first', time: 1_000 }),
      event({ eventId: `${id}2`, description: 'second', time: 2_000 }),
    ];
    await store.ingest('NEW', two('n'));
    await store.ingest('OLD', two('o'));
    expect(addresses((await store.getReply('NEW', 'YT1234567890123'))!.json)).toEqual(['second', 'first']);
    expect(addresses((await store.getReply('OLD', 'YT1234567890123'))!.json)).toEqual([
      '运输中\nfirst',
      '运输中\nsecond',
    ]);

    // After a reload, the next rendering of OLD's waybill follows its new options.
    source.replace([carrier('OLD', { trace: { order: 'newest-first', address: 'label-description' } })]);
    await store.ingest('OLD', [event({ eventId: 'o3', description: 'third', time: 3_000 })]);
    expect(addresses((await store.getReply('OLD', 'YT1234567890123'))!.json)).toEqual([
      '运输中\nthird',
      '运输中\nsecond',
      '运输中\nfirst',
    ]);
    await store.close();
  });
});
