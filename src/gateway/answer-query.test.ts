import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { MemoryReplayGuard } from '../guard/memory/memory-guard.js';
import { parseJsonpBody } from '../protocol/jsonp.js';
import { gatewayFixture, NOW, scan, type GatewayFixture } from '../testing/gateway-fixture.js';

const WAYBILL = 'YT1234567890123';
let gw: GatewayFixture;
afterEach(() => gw?.close());

const code = async (url: string) => {
  const res = await gw.app.inject({ method: 'GET', url });
  return (parseJsonpBody(res.payload) as { err_code?: number }).err_code;
};

describe('a replay guard at capacity', () => {
  it('makes the gateway refuse new signatures with 50001, logged, while bound ones still serve', async () => {
    const guard = new MemoryReplayGuard({ clock: new ManualClock(NOW), maxEntries: 1 });
    gw = await gatewayFixture({ guard, events: [scan({ eventId: 'e1' })] });
    const first = gw.signed(WAYBILL, { nonce: '1' });
    expect(await code(first)).toBe(0); // served
    expect(await code(gw.signed(WAYBILL, { nonce: '2' }))).toBe(50001);
    expect(await code(first)).toBe(0); // a refresh of the bound signature
    expect(await code(first.replace('openid=', 'openid=x'))).toBe(40003); // still guarded
    expect(guard.stats()).toMatchObject({ entries: 1, refusals: 1 });
    expect(gw.logs.some((l) => l.code === 50001 && JSON.stringify(l.err).includes('capacity'))).toBe(true);
  });
});
