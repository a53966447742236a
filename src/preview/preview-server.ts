/**
 * @module
 * `wxtrack preview`'s local server: serves the page (preview-assets.ts) under a strict
 * Content-Security-Policy (scripts from itself and the endpoint's origin only, nothing else from
 * outside), signs each query server-side so the token never reaches the page, draws the
 * waybill's barcode with bwip-js, and diagnoses a broken reply with the conformance checks. It
 * answers only requests naming it as their Host, so no other site can borrow its signing.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import bwipjs from 'bwip-js';
import { appendCellParams } from '../cell-link/cell-link.js';
import type { RegisteredCell } from '../carrier/carrier.js';
import { replyChecks } from '../conformance/reply-checks.js';
import { createClient, freshNonce, probeOpenid, signedParams } from '../conformance/wechat-client.js';
import { ORDERID_RE } from '../protocol/query.js';
import { PREVIEW_CSS, PREVIEW_HTML, PREVIEW_JS } from './preview-assets.js';

export interface PreviewOptions {
  /** The endpoint WeChat calls. */
  readonly endpoint: string;
  readonly token: string;
  readonly companyId?: string;
  /** Registered cells, to show each cell's link; without them the key stands in. */
  readonly cells?: readonly RegisteredCell[];
  /** Epoch milliseconds to stamp queries with. */
  readonly now?: () => number;
  readonly host?: string;
  readonly port?: number;
}

export interface PreviewServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The page's policy: nothing by default; scripts from here and the endpoint; no inline code. */
export function previewCsp(endpointOrigin: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' ${endpointOrigin}`,
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const OPENID = probeOpenid('Preview');

export async function startPreviewServer(options: PreviewOptions): Promise<PreviewServer> {
  const endpoint = new URL(options.endpoint);
  const now = options.now ?? (() => Date.now());
  const csp = previewCsp(endpoint.origin);
  const common = {
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  };
  const sign = (orderid: string) => {
    const params = signedParams({
      token: options.token,
      orderid,
      openid: OPENID,
      timestamp: String(Math.floor(now() / 1000)),
      nonce: freshNonce(),
      ...(options.companyId === undefined ? {} : { companyId: options.companyId }),
    });
    return params;
  };
  const json = (res: http.ServerResponse, status: number, value: unknown) =>
    res
      .writeHead(status, { ...common, 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify(value));

  // Filled in once listening: the Host headers this server answers to.
  const hosts = new Set<string>();
  const server = http.createServer((req, res) => {
    void (async () => {
      // A page elsewhere could point its own name at 127.0.0.1 (DNS rebinding) and read signed
      // URLs from here; a request must name this server as its Host.
      if (!hosts.has((req.headers.host ?? '').toLowerCase()))
        return json(res, 421, { error: 'unknown host' });
      const url = new URL(req.url ?? '/', 'http://preview.invalid');
      const orderid = url.searchParams.get('orderid') ?? '';
      switch (url.pathname) {
        case '/':
          res.writeHead(200, {
            ...common,
            'content-type': 'text/html; charset=utf-8',
            'content-security-policy': csp,
          });
          return void res.end(PREVIEW_HTML);
        case '/preview.js':
          res.writeHead(200, { ...common, 'content-type': 'text/javascript; charset=utf-8' });
          return void res.end(PREVIEW_JS);
        case '/preview.css':
          res.writeHead(200, { ...common, 'content-type': 'text/css; charset=utf-8' });
          return void res.end(PREVIEW_CSS);
        case '/barcode.svg': {
          const text = url.searchParams.get('text') ?? '';
          if (!ORDERID_RE.test(text)) return json(res, 400, { error: 'not a waybill number' });
          const svg = bwipjs.toSVG({
            bcid: 'code128',
            text,
            includetext: true,
            textxalign: 'center',
            height: 12,
          });
          res.writeHead(200, {
            ...common,
            'content-type': 'image/svg+xml',
            'content-security-policy': "default-src 'none'",
          });
          return void res.end(svg);
        }
        case '/api/sign': {
          if (!ORDERID_RE.test(orderid))
            return json(res, 400, { error: 'The waybill number is not 1–64 printable ASCII characters.' });
          const params = sign(orderid);
          const query = params.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
          const get = (k: string) => params.find(([n]) => n === k)![1];
          // What WeChat appends to a cell's link when it is tapped (spec §自定义cell跳转).
          const cellParams = appendCellParams('', {
            token: options.token,
            orderid,
            openid: OPENID,
            timestamp: get('timestamp'),
            nonce: freshNonce(),
          }).slice(1);
          return json(res, 200, {
            src:
              endpoint.origin + endpoint.pathname + (endpoint.search ? endpoint.search + '&' : '?') + query,
            origin: endpoint.origin,
            cellParams,
            cells: options.cells ?? [],
          });
        }
        case '/api/diagnose': {
          if (!ORDERID_RE.test(orderid)) return json(res, 400, { failed: [] });
          const client = createClient(endpoint.href);
          try {
            const results = replyChecks(await client.get(sign(orderid)), orderid);
            return json(res, 200, { failed: results.filter((r) => r.outcome === 'fail') });
          } catch (err) {
            return json(res, 200, {
              failed: [{ id: 'http-status', detail: `no reply: ${(err as Error).message}` }],
            });
          } finally {
            client.close();
          }
        }
        default:
          return json(res, 404, { error: 'not found' });
      }
    })().catch(() => {
      if (!res.headersSent) json(res, 500, { error: 'preview server error' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  for (const name of [host, 'localhost', '127.0.0.1', '[::1]']) hosts.add(`${name}:${address.port}`);
  return {
    url: `http://${host}:${address.port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
