/**
 * A gateway in pull mode, end to end: the built `wxtrack serve` with only a configuration file
 * (no database, no events) answering from a Kuaidi100-shaped fake upstream that checks the
 * signature; `wxtrack check` passes against it; the load it runs costs one upstream call per
 * waybill; credentials never reach the log; the metrics show the calls. Needs `npm run build`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeKuaidi100, type FakeUpstream } from '../pull/testing/fake-upstream.js';
import { cli } from '../testing/cli-run.js';
import { spawnServe, type ServeProcess } from '../testing/serve-process.js';

const TOKEN = 'pull-mode-wechat-token';
const IN_TRANSIT = 'YT0000000000001';
const SIGNED = 'YT0000000000002';
const ENV = { ...process.env, YT_TOKEN: TOKEN, K100_CUSTOMER: 'CUSTOMER-E2E', K100_KEY: 'SECRET-KEY-E2E' };

let fake: FakeUpstream;
let serve: ServeProcess;
const asked: string[] = [];
const dir = mkdtempSync(join(tmpdir(), 'wxtrack-pull-'));

beforeAll(async () => {
  fake = await startFakeKuaidi100('CUSTOMER-E2E', 'SECRET-KEY-E2E');
  fake.answer = (waybill) => {
    asked.push(waybill);
    if (waybill !== IN_TRANSIT && waybill !== SIGNED)
      return { json: { result: false, returnCode: '500', message: '查询无结果，请隔段时间再查' } };
    const signed = waybill === SIGNED;
    return {
      json: {
        message: 'ok',
        state: signed ? '3' : '0',
        ischeck: signed ? '1' : '0',
        com: 'yuantong',
        nu: waybill,
        data: [
          ...(signed
            ? [{ context: '已签收，签收人：本人', ftime: '2026-07-03 15:00:00', statusCode: '301' }]
            : []),
          {
            context: '快件离开【杭州转运中心】发往【上海】',
            ftime: '2026-07-02 09:00:00',
            statusCode: '1002',
          },
          { context: '【杭州】已揽收', ftime: '2026-07-01 18:00:00', statusCode: '103' },
        ],
      },
    };
  };
  const config = {
    carriers: [
      {
        id: 'YTO',
        name: '圆通速递',
        tokens: [{ env: 'YT_TOKEN' }],
        waybillPattern: 'YT\\d{13}',
        source: {
          upstream: {
            preset: 'kuaidi100',
            url: fake.url,
            company: 'yuantong',
            customer: { env: 'K100_CUSTOMER' },
            key: { env: 'K100_KEY' },
          },
        },
      },
    ],
  };
  const file = join(dir, 'wxtrack.config.json');
  writeFileSync(file, JSON.stringify(config));
  serve = await spawnServe(
    ['--config', file, '--port', '0', '--metrics-port', '0', '--rate-limit', '0'],
    ENV,
  );
});

afterAll(async () => {
  serve?.child.kill('SIGTERM');
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('pull mode, end to end', () => {
  it('wxtrack check passes against a gateway that has only a configuration file', async () => {
    const r = await cli(
      'check',
      serve.origin + '/wechat/track',
      '--token',
      TOKEN,
      '--company-id',
      'YTO',
      '--orderid',
      IN_TRANSIT,
      '--orderid',
      SIGNED,
      '--connections',
      '4',
      '--seconds',
      '2',
      '--max-requests',
      '2000',
    );
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain('Ready for review');
    expect(fake.badSignatures).toBe(0);
    // The load asked the two waybills hundreds of times; the upstream saw each once.
    expect(asked.filter((w) => w === IN_TRANSIT)).toHaveLength(1);
    expect(asked.filter((w) => w === SIGNED)).toHaveLength(1);
    expect(new Set(asked).size).toBe(asked.length);
  });

  it('logs no credential, and the metrics count the upstream calls', async () => {
    const log = JSON.stringify(serve.lines);
    expect(log).not.toContain('SECRET-KEY-E2E');
    expect(log).not.toContain('CUSTOMER-E2E');
    const listening = await serve.logged('wxtrack listening');
    const text = await (await fetch(`${listening.metrics as string}/metrics`)).text();
    expect(text).toContain(`wxtrack_upstream_calls_total{carrier="YTO"} ${asked.length}`);
    expect(text).toMatch(/wxtrack_upstream_cache_hits_total\{carrier="YTO"\} [1-9]\d*/);
    expect(text).toContain('wxtrack_upstream_breaker_state{carrier="YTO"} 0');
    expect(text).toContain('wxtrack_upstream_call_duration_seconds_count{carrier="YTO"}');
  });
});
