/**
 * @module
 * A client that half-closes its socket (`shutdown(SHUT_WR)`) once its request is sent still gets
 * the reply: its events were committed, and a sender that never hears so resends them forever.
 * Over a real socket: `inject()` has no half-close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../backends/open-backends.js';
import { WorkerIngestor } from '../ingest/push/worker/worker-ingestor.js';
import { collect, listenLocal, open } from '../testing/raw-http.js';
import { apiHarness, wireEvent, type ApiHarness } from './v1/testing/api-harness.js';

/** The built push worker (`npm run build` first), as `serve` runs it. */
const BUILT = new URL('../../dist/ingest/push/worker/ingest-worker.js', import.meta.url);

describe('a client that half-closes after sending', () => {
  let h: ApiHarness | undefined;
  let ingestor: WorkerIngestor | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await h?.close();
    await ingestor?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    h = undefined;
    ingestor = undefined;
    dir = undefined;
  });

  const request = (body: string, auth: string) =>
    `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;

  it('gets the push reply, then the server closes the connection', async () => {
    // The push is stored by the worker thread, as under `serve`: the client's FIN is read while
    // the push is being stored, which is what used to close the socket before the reply.
    dir = mkdtempSync(join(tmpdir(), 'wxtrack-halfclose-'));
    const path = join(dir, 'push.db');
    await (await openStore({ kind: 'sqlite', path }, { create: true })).close();
    ingestor = await WorkerIngestor.start({
      store: { kind: 'sqlite', path },
      workerUrl: BUILT,
    });
    h = await apiHarness({ path, ingestor });
    const port = await listenLocal(h.app);
    const events = Array.from({ length: 5_000 }, (_, i) =>
      wireEvent({ event_id: `h${i}`, waybill: `HCX${100000 + i}` }),
    );
    const socket = await open(port);
    const done = collect(socket, 20_000);
    socket.end(request(JSON.stringify(events), h.auth)); // FIN right after the last byte: SHUT_WR
    const result = await done;
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(200);
    expect(result.closedByServer).toBe(true);
    const body = result.text.slice(result.text.indexOf('\r\n\r\n') + 4);
    expect(JSON.parse(body)).toMatchObject({ accepted: 5_000, rejected: 0 });
    expect(await h.store.readWaybill('default', 'HCX104999')).toBeDefined();
  });

  it('gets the reply to a refused push (401) too', async () => {
    h = await apiHarness();
    const port = await listenLocal(h.app);
    const socket = await open(port);
    const done = collect(socket, 5_000);
    socket.end(request(JSON.stringify([wireEvent()]), 'Bearer wrong'));
    const result = await done;
    expect(result.status).toBe(401);
    expect(result.closedByServer).toBe(true);
  });

  it('still closes a half-closed socket that sent no request', async () => {
    h = await apiHarness();
    const port = await listenLocal(h.app);
    const socket = await open(port);
    const done = collect(socket, 5_000);
    socket.end();
    const result = await done;
    expect(result.closedByServer).toBe(true);
    expect(result.text).toBe('');
  });
});
