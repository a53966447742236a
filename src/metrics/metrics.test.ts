/**
 * @module
 * Metrics end to end over real sockets: a gateway started as `serve` starts it, queried and
 * pushed to, then scraped on its own loopback listener; the track port does not serve them.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../api/api-keys.js';
import { startGateway, type RunningGateway } from '../cli/gateway-process.js';
import { loadGatewayConfig } from '../config/gateway-config.js';
import { createLogger } from '../http/logging.js';
import { Errors } from '../protocol/errors.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { gatewayFixture } from '../testing/gateway-fixture.js';
import { listenLocal } from '../testing/raw-http.js';
import { brokenStore } from '../testing/wrap-store.js';
import { createMetrics } from './metrics.js';

let gw: RunningGateway;
beforeAll(async () => {
  const loaded = loadGatewayConfig(
    { token: 'metrics-token', db: ':memory:', port: '0', 'metrics-port': '0', 'rate-limit': '0' },
    {},
  );
  if (!loaded.ok) throw new Error(loaded.errors.join('; '));
  gw = await startGateway(loaded.config, { logger: createLogger('silent') });
});
afterAll(() => gw.close());

const scrape = async () => (await fetch(`${gw.metricsOrigin}/metrics`)).text();
const value = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('metrics listener', () => {
  it('listens on loopback, apart from the track port, which does not serve them', async () => {
    expect(gw.metricsOrigin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(gw.metricsOrigin).not.toBe(gw.origin);
    expect((await fetch(`${gw.origin}/metrics`)).status).toBe(404);
    expect((await fetch(`${gw.metricsOrigin}/other`)).status).toBe(404);
  });

  it('counts queries by err_code and carrier, their latency, the cache and the guard', async () => {
    const before = await scrape();
    const now = Math.floor(Date.now() / 1000);
    const signed = (nonce: string) =>
      signedQueryUrl({
        url: `${gw.origin}/wechat/track`,
        token: 'metrics-token',
        orderid: 'YT1234567890123',
        openid: 'oUser',
        timestamp: String(now),
        nonce,
      });
    await fetch(`${gw.origin}/wechat/track?callback=WxOrderCb`);
    for (const n of ['1', '2', '3']) await fetch(signed(n));
    const after = await scrape();
    const bad = 'wxtrack_queries_total{err_code="40004",carrier=""}';
    const unknown = 'wxtrack_queries_total{err_code="40401",carrier="default"}';
    expect((value(after, bad) ?? 0) - (value(before, bad) ?? 0)).toBe(1);
    expect((value(after, unknown) ?? 0) - (value(before, unknown) ?? 0)).toBe(3);
    expect(value(after, 'wxtrack_query_duration_seconds_count')).toBeGreaterThanOrEqual(4);
    expect(value(after, 'wxtrack_replay_guard_entries')).toBe(3);
    expect(value(after, 'wxtrack_replay_guard_capacity')).toBe(5000 * 601); // the default rate over an entry's life
    expect(value(after, 'wxtrack_reply_cache_misses_total')).toBeGreaterThanOrEqual(3);
    expect(after).toMatch(/^wxtrack_reply_cache_hits_total \d+$/m);
    expect(after).toMatch(/^wxtrack_replay_guard_expired_total 0$/m);
    expect(after).toMatch(/^nodejs_eventloop_lag_seconds [\d.e-]+$/m);
    expect(after).toMatch(/^wxtrack_http_connections_open \d+$/m);
    expect(after).toMatch(/^wxtrack_store_errors_total\{where="query"\} 0$/m);
  });

  it('counts pushed events by result', async () => {
    const { key, record } = generateApiKey('m', 'default', Date.now());
    await gw.store.addApiKey(record);
    const event = {
      waybill: 'YT1234567890123',
      event_id: 'm1',
      time: new Date().toISOString(),
      status: 2,
      description: '快件已揽收',
    };
    const res = await fetch(`${gw.origin}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify([event, event, 7]),
    });
    expect(res.status).toBe(207);
    const text = await scrape();
    expect(value(text, 'wxtrack_ingested_events_total{result="accepted"}')).toBe(1);
    expect(value(text, 'wxtrack_ingested_events_total{result="duplicate"}')).toBe(1);
    expect(value(text, 'wxtrack_ingested_events_total{result="rejected"}')).toBe(1);
  });
});

describe('createMetrics', () => {
  it('reads any guard and cache through stats(), at scrape time', async () => {
    let evictions = 0;
    const m = createMetrics({
      guard: {
        stats: () => ({ entries: 5, expiredEvictions: evictions, capacity: 10, refusals: 2, highWater: 6 }),
      },
      cache: { stats: () => ({ hits: 9, misses: 1, evictions: 3, entries: 4, bytes: 400 }) },
    });
    evictions = 7;
    const text = await m.registry.metrics();
    m.stop();
    expect(value(text, 'wxtrack_replay_guard_expired_total')).toBe(7);
    expect(value(text, 'wxtrack_replay_guard_refusals_total')).toBe(2);
    expect(value(text, 'wxtrack_reply_cache_hits_total')).toBe(9);
    expect(value(text, 'wxtrack_reply_cache_evictions_total')).toBe(3);
    expect(value(text, 'wxtrack_reply_cache_bytes')).toBe(400);
  });
});

describe('store errors', () => {
  it('counts a failing store on the query path and the readiness probe, over a real socket', async () => {
    const metrics = createMetrics();
    const fx = await gatewayFixture({ store: brokenStore(), metrics });
    try {
      const port = await listenLocal(fx.app);
      const q = await fetch(`http://127.0.0.1:${port}${fx.signed('YT1234567890123')}`);
      expect(await q.text()).toContain('50001');
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
      const text = await metrics.registry.metrics();
      expect(value(text, 'wxtrack_store_errors_total{where="query"}')).toBe(1);
      expect(value(text, 'wxtrack_store_errors_total{where="ready"}')).toBe(1);
      expect(value(text, 'wxtrack_queries_total{err_code="50001",carrier="yto"}')).toBe(1);
    } finally {
      metrics.stop();
      await fx.close();
    }
  });
});

describe('err_code label values', () => {
  it('are every one in the error catalogue, and the catalogue is in both READMEs’ tables', async () => {
    // one of each kind a caller can cause: no callback (the plain 400), a malformed query, a
    // forged signature, an unknown waybill
    await fetch(`${gw.origin}/wechat/track?orderid=YT1`);
    await fetch(`${gw.origin}/wechat/track?callback=WxOrderCb`);
    const now = String(Math.floor(Date.now() / 1000));
    for (const [i, token] of ['metrics-token', 'forged-token'].entries()) {
      const url = signedQueryUrl({
        url: `${gw.origin}/wechat/track`,
        token,
        orderid: 'YT1234567890123',
        openid: 'oLabel',
        timestamp: now,
        nonce: `77${i}`,
      });
      await (await fetch(url)).text();
    }
    const seen = [...(await scrape()).matchAll(/^wxtrack_queries_total\{err_code="(\d+)"/gm)].map((m) =>
      Number(m[1]),
    );
    expect(new Set(seen)).toEqual(new Set([...seen, 40000, 40001, 40004, 40401]));
    const catalogue = new Set(Object.values(Errors).map((e) => e.code));
    for (const code of seen) expect(catalogue.has(code), `err_code ${code}`).toBe(true);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const english = readme.slice(readme.indexOf('\n## Running it for real'), readme.indexOf('\n## 正式运行'));
    const chinese = readme.slice(readme.indexOf('\n## 正式运行'), readme.indexOf('\n## Carriers'));
    for (const code of catalogue)
      for (const [name, text] of [
        ['English', english],
        ['中文', chinese],
      ] as const)
        expect(new RegExp(`^\\| \\(?${code}\\)? `, 'm').test(text), `${code} in the ${name} table`).toBe(
          true,
        );
  });
});
