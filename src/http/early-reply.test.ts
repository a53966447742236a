/**
 * @module
 * Replies written before the body is read, over real sockets: an oversized push gets its 413
 * before any "100 Continue", and a client that sends the whole body anyway still reads the 413
 * (no broken pipe, no reset); an unauthenticated one reads its 401 the same way; text/plain is
 * 415. Real clients: node:http with and without `Expect`, and fetch.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyOf, exchange, listenLocal } from '../testing/raw-http.js';
import { apiHarness, wireEvent, type ApiHarness } from './v1/testing/api-harness.js';
import { replyOf } from '../testing/render-reply.js';

const LIMIT = 10 * 1024 * 1024;
const OVER = LIMIT + 1;

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

async function start(): Promise<number> {
  h = await apiHarness();
  return listenLocal(h.app);
}

interface Outcome {
  readonly status?: number;
  readonly body?: string;
  readonly continued: boolean;
  readonly error?: string;
}

/** POSTs `size` bytes; with `expect`, sends the body only after "100 Continue" (or a 1 s wait, as curl). */
function post(
  port: number,
  size: number,
  headers: Record<string, string>,
  expectContinue: boolean,
): Promise<Outcome> {
  return new Promise((resolve) => {
    let continued = false;
    const req = request({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/events',
      headers: {
        'content-type': 'application/json',
        'content-length': String(size),
        ...(expectContinue ? { expect: '100-continue' } : {}),
        ...headers,
      },
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const writeAll = () => {
      while (sent < size) {
        const n = Math.min(chunk.length, size - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once('drain', writeAll);
      }
      req.end();
    };
    req.on('continue', () => {
      continued = true;
      writeAll();
    });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body, continued }));
    });
    req.on('error', (e: NodeJS.ErrnoException) => resolve({ continued, error: e.code ?? e.message }));
    if (!expectContinue) writeAll();
  });
}

describe('413 before the body', () => {
  it('answers an oversized push with Expect: 100-continue by 413, never by 100', async () => {
    const port = await start();
    const r = await post(port, OVER, { authorization: h!.auth }, true);
    expect(r.error).toBeUndefined();
    expect(r.continued).toBe(false);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body!)).toMatchObject({ code: 'WXT_BODY_TOO_LARGE' });
  });

  it('lets a client that sends all 10,485,761 bytes anyway read the 413', async () => {
    const port = await start();
    for (let i = 0; i < 3; i++) {
      const r = await post(port, OVER, { authorization: h!.auth }, false);
      expect(r.error).toBeUndefined();
      expect(r.status).toBe(413);
    }
  });

  it('does the same for fetch', async () => {
    const port = await start();
    const res = await fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      headers: { authorization: h!.auth, 'content-type': 'application/json' },
      body: Buffer.alloc(OVER, 0x20),
    });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ code: 'WXT_BODY_TOO_LARGE' });
  });

  it('lets an unauthenticated sender of a large body read its 401', async () => {
    const port = await start();
    const r = await post(port, 4 * 1024 * 1024, {}, false);
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(401);
  });

  it('still says 100 Continue to an acceptable push, and stores it', async () => {
    const port = await start();
    const body = JSON.stringify([wireEvent()]);
    const r = await new Promise<Outcome>((resolve) => {
      let continued = false;
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/events',
        headers: {
          authorization: h!.auth,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          expect: '100-continue',
        },
      });
      req.on('continue', () => {
        continued = true;
        req.end(body);
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: text, continued }));
      });
      req.on('error', (e) => resolve({ continued, error: e.message }));
    });
    expect(r.continued).toBe(true);
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body!)).toMatchObject({ accepted: 1 });
  });
});

describe('415 for anything but JSON and NDJSON', () => {
  it('refuses text/plain, which the README promises', async () => {
    const port = await start();
    const body = JSON.stringify(wireEvent());
    const r = await exchange(
      port,
      `POST /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: ${h!.auth}\r\nContent-Type: text/plain\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    expect(r.status).toBe(415);
    expect(JSON.parse(bodyOf(r.text))).toMatchObject({ code: 'WXT_UNSUPPORTED_MEDIA_TYPE' });
    expect(await replyOf(h!.store, 'default', 'YT1234567890123')).toBeUndefined();
  });
});
