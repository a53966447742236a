import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { computeSignature } from '../protocol/signature.js';
import { previewCsp, startPreviewServer, type PreviewServer } from './preview-server.js';

let server: PreviewServer | undefined;
afterEach(async () => server?.close());

const get = (url: string, host?: string) =>
  new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const u = new URL(url);
    http
      .get(
        { hostname: u.hostname, port: u.port, path: u.pathname + u.search, headers: host ? { host } : {} },
        (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      )
      .on('error', reject);
  });

describe('the preview server', () => {
  it('signs queries for the page without ever sending the token', async () => {
    server = await startPreviewServer({
      endpoint: 'https://track.example.com/wechat/track',
      token: 'preview-secret-9',
      companyId: 'YTO',
      now: () => 1_800_000_000_000,
    });
    const r = await get(`${server.url}api/sign?orderid=YT1234567890123`);
    expect(r.status).toBe(200);
    expect(r.body).not.toContain('preview-secret-9');
    const { src, origin, cellParams } = JSON.parse(r.body) as {
      src: string;
      origin: string;
      cellParams: string;
    };
    expect(origin).toBe('https://track.example.com');
    const q = new URL(src).searchParams;
    expect(q.get('timestamp')).toBe('1800000000');
    expect(q.get('company_id')).toBe('YTO');
    expect(q.get('signature')).toBe(
      computeSignature('preview-secret-9', q.get('timestamp')!, q.get('nonce')!),
    );
    expect(cellParams).toMatch(
      /^timestamp=1800000000&nonce=\w+&signature=[0-9a-f]{40}&orderid=YT1234567890123&openid=\w+$/,
    );
  });

  it('serves the page under a strict policy, and draws the barcode', async () => {
    server = await startPreviewServer({
      endpoint: 'http://127.0.0.1:8787/wechat/track',
      token: 'preview-secret-9',
    });
    const page = await get(server.url);
    expect(page.headers['content-security-policy']).toBe(previewCsp('http://127.0.0.1:8787'));
    expect(page.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
    expect(page.body).not.toMatch(/<script>|<script [^>]*>[^<]/);
    const svg = await get(`${server.url}barcode.svg?text=YT1234567890123`);
    expect(svg.headers['content-type']).toBe('image/svg+xml');
    expect(svg.body).toMatch(/^<svg /);
    // Text is drawn as paths: nothing from the request becomes markup.
    const marked = await get(`${server.url}barcode.svg?text=${encodeURIComponent('<b>&"')}`);
    expect(marked.status).toBe(200);
    expect(marked.body).not.toMatch(/<b>|&"/);
    expect((await get(`${server.url}barcode.svg?text=${encodeURIComponent('a b')}`)).status).toBe(400);
  });

  it('answers no request that names another host (DNS rebinding)', async () => {
    server = await startPreviewServer({
      endpoint: 'http://127.0.0.1:8787/wechat/track',
      token: 'preview-secret-9',
    });
    const port = new URL(server.url).port;
    const r = await get(`${server.url}api/sign?orderid=YT1`, `attacker.example:${port}`);
    expect(r.status).toBe(421);
    expect(r.body).not.toContain('signature');
    expect((await get(`${server.url}api/sign?orderid=YT1`, `localhost:${port}`)).status).toBe(200);
  });
});
