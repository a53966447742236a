/**
 * @module
 * The push reply is bounded whatever the batch, over a real socket: two MiB of one-character
 * NDJSON lines (about a million rejected events) once made an 87 MB reply. A quarter MiB of them
 * shows the bound at an eighth of the time.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenLocal } from '../../testing/raw-http.js';
import { RESULTS_CAP } from '../../ingest/push/push-reply.js';
import { apiHarness, wireEvent, type ApiHarness } from './testing/api-harness.js';

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

function push(port: number, auth: string, type: string, body: string) {
  return new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/events',
      headers: { authorization: auth, 'content-type': type },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('bounded push reply', () => {
  it('lists at most RESULTS_CAP rejected events of a huge batch, with counts for all', async () => {
    h = await apiHarness();
    const port = await listenLocal(h.app);
    const lines = 128 * 1024;
    const r = await push(port, h.auth, 'application/x-ndjson', '1\n'.repeat(lines));
    expect(r.status).toBe(207);
    expect(r.text.length).toBeLessThan(200_000);
    const body = JSON.parse(r.text);
    expect(body).toMatchObject({ accepted: 0, duplicates: 0, rejected: lines, truncated: true });
    expect(body.results).toHaveLength(RESULTS_CAP);
    expect(body.results_omitted).toBe(lines - RESULTS_CAP);
    expect(body.results[0]).toMatchObject({ index: 0, result: 'rejected' });
  }, 60_000);

  it('lists only the rejected ones when a large batch is mostly good', async () => {
    h = await apiHarness();
    const port = await listenLocal(h.app);
    const events = Array.from({ length: RESULTS_CAP + 10 }, (_, i) =>
      i === 7 ? { nonsense: true } : wireEvent({ event_id: `e${i}` }),
    );
    const r = await push(port, h.auth, 'application/json', JSON.stringify(events));
    const body = JSON.parse(r.text);
    expect(r.status).toBe(207);
    expect(body).toMatchObject({ accepted: RESULTS_CAP + 9, rejected: 1, truncated: true });
    expect(body.results).toEqual([expect.objectContaining({ index: 7, result: 'rejected' })]);
    expect(body.results_omitted).toBe(RESULTS_CAP + 9);
  }, 60_000);

  it('still lists every result of a batch within the cap', async () => {
    h = await apiHarness();
    const port = await listenLocal(h.app);
    const r = await push(port, h.auth, 'application/json', JSON.stringify([wireEvent(), 5]));
    const body = JSON.parse(r.text);
    expect(body.results.map((x: { result: string }) => x.result)).toEqual(['accepted', 'rejected']);
    expect(body).not.toHaveProperty('truncated');
  });
});
