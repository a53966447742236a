/**
 * A carrier's own scan codes and body limit (its entries in the configuration file) over the real
 * push API: each key is held to its carrier's, whether the push is stored on the serving thread or
 * in the push worker (built, in dist/), and a chunked body without Content-Length too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../api/api-keys.js';
import { openStore } from '../../backends/open-backends.js';
import { parseConfigText } from '../../config/config-file.js';
import { WorkerIngestor } from '../../ingest/push/worker/worker-ingestor.js';
import { parseJsonpBody } from '../../protocol/jsonp.js';
import { replyOf } from '../../testing/render-reply.js';
import { apiHarness, wireEvent, type ApiHarness } from './testing/api-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-carrier-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BUILT = new URL('../../../dist/ingest/push/worker/ingest-worker.js', import.meta.url);

/** `default` (the harness's key) has its own codes and a 4 KiB limit; JT has neither. */
const file = parseConfigText(
  JSON.stringify({
    carriers: [
      {
        id: 'default',
        name: '圆通速递',
        tokens: ['wechat-token-123'],
        waybillPattern: 'YT\\d{13}',
        eventCodes: { codes: { SCAN_IN: { status: 2, label: '到件扫描' } } },
        bodyLimit: '4KiB',
      },
      { id: 'JT', name: '极兔速递', tokens: ['jt-token-456'], waybillPattern: 'JT\\d{13}' },
    ],
  }),
  { env: {} },
);
if (!file.ok) throw new Error(file.errors.join('\n'));
const carriers = file.config.carriers;

let made = 0;

async function withHarness(kind: 'inline' | 'worker', fn: (h: ApiHarness, jt: string) => Promise<void>) {
  const path = join(dir, `${kind}-${++made}.db`);
  await (await openStore({ kind: 'sqlite', path }, { create: true })).close();
  const ingestor =
    kind === 'worker'
      ? await WorkerIngestor.start({ store: { kind: 'sqlite', path }, workerUrl: BUILT })
      : undefined;
  const h = await apiHarness({
    carriers,
    path,
    bodyLimitBytes: 64 * 1024,
    ...(ingestor ? { ingestor } : {}),
  });
  const { key, record } = generateApiKey('jt', 'JT', h.clock.now());
  await h.store.addApiKey(record);
  try {
    await fn(h, `Bearer ${key}`);
  } finally {
    await h.close();
    await ingestor?.close();
  }
}

const post = (h: ApiHarness, auth: string, payload: string) =>
  h.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { authorization: auth, 'content-type': 'application/x-ndjson' },
    payload,
  });

const lines = (n: number, waybill: string) =>
  Array.from({ length: n }, (_, i) => JSON.stringify(wireEvent({ event_id: `e${i}`, waybill }))).join('\n');

for (const kind of ['inline', 'worker'] as const) {
  describe(`per-carrier settings on POST /v1/events (${kind} ingestor)`, () => {
    it("maps a carrier's own scan code, which another carrier's key cannot use", () =>
      withHarness(kind, async (h, jt) => {
        const own = wireEvent({ event_id: 's1', code: 'SCAN_IN', status: undefined });
        const res = await post(h, h.auth, JSON.stringify(own));
        expect(res.json()).toMatchObject({ accepted: 1, rejected: 0 });
        const info = parseJsonpBody(
          'WxOrderCb(' + (await replyOf(h.store, 'default', 'YT1234567890123'))!.json + ')',
        ) as { traces: { accept_address: string }[] };
        expect(info.traces[0]!.accept_address.split('\n')[0]).toBe('到件扫描');
        const other = wireEvent({
          event_id: 's1',
          waybill: 'JT1234567890123',
          code: 'SCAN_IN',
          status: undefined,
        });
        const refused = await post(h, jt, JSON.stringify(other));
        expect(refused.statusCode).toBe(207);
        expect(refused.json().results[0]).toMatchObject({ result: 'rejected', code: 'unknown_code' });
      }));

    it("holds each key to its carrier's body limit", () =>
      withHarness(kind, async (h, jt) => {
        const body = lines(40, 'YT1234567890123'); // about 7 KiB
        expect(Buffer.byteLength(body)).toBeGreaterThan(4096);
        const own = await post(h, h.auth, body);
        expect(own.statusCode).toBe(413);
        expect(own.json().message).toBe(
          'request body is larger than the limit: at most 4096 bytes (4 KiB); split the batch',
        );
        // JT has no limit of its own: the global 64 KiB applies.
        const other = await post(h, jt, lines(40, 'JT1234567890123'));
        expect(other.statusCode).toBe(200);
        expect(other.json()).toMatchObject({ accepted: 40 });
      }));
  });
}

describe('a chunked push without Content-Length', () => {
  it("is cut off at its carrier's limit, and answered 413", () =>
    withHarness('inline', async (h) => {
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      const address = h.app.server.address();
      if (typeof address !== 'object' || address === null) throw new Error('not listening');
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: address.port,
            method: 'POST',
            path: '/v1/events',
            headers: { authorization: h.auth, 'content-type': 'application/x-ndjson' },
          },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        expect(req.getHeader('content-length')).toBeUndefined();
        // 40 lines, about 7 KiB, sent in pieces: no Content-Length announces the size.
        for (const line of lines(40, 'YT1234567890123').split('\n')) req.write(line + '\n');
        req.end();
      });
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'WXT_BODY_TOO_LARGE' });
      expect(await replyOf(h.store, 'default', 'YT1234567890123')).toBeUndefined();
    }));
});
