import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { fixtureCarrier, gatewayFixture, NOW, scan, TOKEN } from '../testing/gateway-fixture.js';
import type { CheckId } from './check-result.js';
import { failedIds, runCheck } from './run-check.js';
import {
  IN_TRANSIT,
  REFERENCE_RATE_LIMIT,
  REFERENCE_TOKEN,
  referenceServer,
  SIGNED,
  type Fault,
} from './testing/reference-server.js';

const clock = new ManualClock(NOW);
const smallLoad = { connections: 2, seconds: 1, maxRequests: 30, p99BudgetMs: 60_000 };
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

describe('wxtrack check against wxtrack itself, over a real socket', () => {
  it('passes every check, the load included', async () => {
    const fixture = await gatewayFixture({
      carriers: [fixtureCarrier({ cells: undefined })],
      events: [
        scan({
          eventId: 'a1',
          waybill: 'YT1234567890123',
          status: 1,
          label: '已揽件',
          time: NOW - 7_200_000,
        }),
        scan({ eventId: 'a2', waybill: 'YT1234567890123' }),
        scan({ eventId: 'b1', waybill: 'YT1234567890124', time: NOW - 7_200_000 }),
        scan({
          eventId: 'b2',
          waybill: 'YT1234567890124',
          status: 4,
          label: '已签收',
          description: '本人签收',
        }),
      ],
    });
    closers.push(() => fixture.close());
    const address = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const report = await runCheck({
      endpoint: `${address}/wechat/track`,
      token: TOKEN,
      orderids: ['YT1234567890123', 'YT1234567890124'],
      now: () => fixture.clock.now(),
      load: smallLoad,
    });
    expect(report.results.filter((r) => r.outcome !== 'pass')).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.load?.requests).toBeGreaterThan(0);
    expect(report.load?.requests).toBeLessThanOrEqual(30);
    expect(report.load?.errors).toBe(0);
  });

  it('fails, naming the signature, when given the wrong token', async () => {
    const fixture = await gatewayFixture({ events: [scan({ eventId: 'a1' })] });
    closers.push(() => fixture.close());
    const address = await fixture.app.listen({ host: '127.0.0.1', port: 0 });
    const report = await runCheck({
      endpoint: `${address}/wechat/track`,
      token: 'not-the-token',
      orderids: ['YT1234567890123'],
      now: () => fixture.clock.now(),
      load: false,
    });
    expect(report.passed).toBe(false);
    expect(report.results.find((r) => r.id === 'err-code')).toMatchObject({ outcome: 'fail' });
    expect(report.results.find((r) => r.id === 'err-code')?.detail).toContain('40001');
  });
});

describe('wxtrack check against deliberately broken servers', () => {
  const check = async (fault: Fault, load: false | (typeof smallLoad & { rateBudget?: number }) = false) => {
    const server = await referenceServer(fault, () => clock.now());
    closers.push(() => server.close());
    const report = await runCheck({
      endpoint: server.url,
      token: REFERENCE_TOKEN,
      orderids: [IN_TRANSIT, SIGNED],
      now: () => clock.now(),
      load,
    });
    return { report, server };
  };

  it('passes a correct implementation', async () => {
    const { report } = await check('none');
    expect(report.results.filter((r) => r.outcome !== 'pass')).toEqual([]);
  });

  const planted: [Fault, CheckId[]][] = [
    ['jsonp-prefix', ['body-shape']],
    ['no-script-escape', ['script-escape']],
    // Both replays go through when nothing guards them.
    ['no-replay-guard', ['replay-openid', 'replay-orderid']],
    ['time-format', ['accept-time']],
    ['long-cell-value', ['cell-length']],
    ['eta-on-signed', ['eta']],
  ];
  for (const [fault, ids] of planted) {
    it(`catches ${fault} and names it ${ids.join(', ')}`, async () => {
      const { report } = await check(fault);
      // The fault is named, by its checks alone: nothing else is blamed.
      expect(failedIds(report), JSON.stringify(report.results.filter((r) => r.outcome === 'fail'))).toEqual(
        ids,
      );
      expect(report.passed).toBe(false);
    });
  }

  it('passes a server that omits cells, with a warning on each waybill that says why', async () => {
    const { report } = await check('no-cells');
    expect(report.passed).toBe(true);
    expect(failedIds(report)).toEqual([]);
    const warned = report.results.filter((r) => r.outcome === 'warn');
    expect(warned.map((r) => [r.id, r.orderid])).toEqual([
      ['body-shape', IN_TRANSIT],
      ['body-shape', SIGNED],
    ]);
    expect(warned[0]!.detail).toMatch(/cells absent: legal/);
    // the other checks still ran on both waybills
    expect(report.results.filter((r) => r.id === 'eta' && r.outcome === 'pass')).toHaveLength(2);
  });

  it('names both faults on one waybill: a failed body-shape hides no other check', async () => {
    const { report } = await check('cells-object-and-eta');
    const failed = report.results.filter((r) => r.outcome === 'fail');
    expect(failed.map((r) => [r.id, r.orderid])).toEqual([
      ['body-shape', SIGNED],
      ['eta', SIGNED],
    ]);
    expect(failed[0]!.detail).toContain('cells is not an array');
    expect(failed[1]!.detail).toContain('on a signed parcel');
    expect(report.passed).toBe(false);
  });

  it('reports the load by error code and names a 42901 as the endpoint’s rate limit', async () => {
    const { report } = await check('rate-limit', { ...smallLoad, seconds: 30, maxRequests: 40 });
    const load = report.results.find((r) => r.id === 'load')!;
    expect(load.outcome).toBe('fail');
    expect(load.detail).toMatch(/err_code 42901 × \d+/);
    expect(load.detail).toContain("the endpoint's rate limit answered: raise it for the probe");
    expect(report.load?.byCode['42901']).toBeGreaterThan(0);
    expect((report.load?.byCode['0'] ?? 0) + (report.load?.byCode['42901'] ?? 0)).toBe(report.load?.requests);
  });

  it('stays within the operator’s --rate-budget, the checks before the load included', async () => {
    const { report, server } = await check('rate-limit', {
      ...smallLoad,
      seconds: 30,
      maxRequests: 1000,
      rateBudget: REFERENCE_RATE_LIMIT,
    });
    expect(server.nonces.length).toBeLessThanOrEqual(REFERENCE_RATE_LIMIT);
    expect(report.load?.byCode).toEqual({ '0': report.load?.requests });
    expect(report.load?.requests).toBeGreaterThan(0);
    expect(report.passed).toBe(true);
  });

  it('the load never replays a signature and stops at its cap', async () => {
    const { report, server } = await check('none', { ...smallLoad, seconds: 30, maxRequests: 25 });
    expect(report.load).toMatchObject({ requests: 25, capped: true, errors: 0 });
    // The load runs last; the probes before it replay on purpose.
    const loadNonces = server.nonces.slice(-25);
    expect(new Set(loadNonces).size).toBe(25);
  });
});
