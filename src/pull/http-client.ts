/**
 * @module
 * The one place pull mode touches the network: one bounded HTTP(S) request. It never hangs and
 * never buffers without bound: one deadline covers connecting, sending and reading the whole
 * body; a body over the limit (by its Content-Length or as it streams in) is cut off at once.
 * Outcomes are values, never exceptions, so a caller cannot forget one.
 *
 * Connections are kept alive in an agent capped at the in-flight budget: a TLS handshake per
 * call would cost more than most upstreams' answers.
 */
import http from 'node:http';
import https from 'node:https';
import type { UpstreamRequest } from './upstream-request.js';

export type HttpOutcome =
  | { readonly ok: true; readonly status: number; readonly body: Buffer }
  | { readonly ok: false; readonly kind: 'timeout' | 'oversized' | 'network' };

export interface HttpLimits {
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
}

export interface UpstreamHttp {
  send(request: UpstreamRequest, limits: HttpLimits): Promise<HttpOutcome>;
  close(): void;
}

export function createUpstreamHttp(maxSockets: number): UpstreamHttp {
  const agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: 60_000 }),
    'https:': new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, timeout: 60_000 }),
  };
  return {
    send: (request, limits) => send(request, limits, agents),
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function send(
  request: UpstreamRequest,
  limits: HttpLimits,
  agents: { 'http:': http.Agent; 'https:': https.Agent },
): Promise<HttpOutcome> {
  return new Promise((resolve) => {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      resolve({ ok: false, kind: 'network' });
      return;
    }
    const protocol = url.protocol === 'https:' ? 'https:' : url.protocol === 'http:' ? 'http:' : undefined;
    if (!protocol) {
      resolve({ ok: false, kind: 'network' });
      return;
    }
    let settled = false;
    const finish = (outcome: HttpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(outcome);
    };
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const headers: Record<string, string> = { ...request.headers, accept: 'application/json' };
    if (body) headers['content-length'] = String(body.length);
    const lib = protocol === 'https:' ? https : http;
    const req = lib.request(url, { method: request.method, headers, agent: agents[protocol] }, (res) => {
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
        finish({ ok: false, kind: 'oversized' });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBodyBytes) {
          finish({ ok: false, kind: 'oversized' });
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => finish({ ok: true, status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', () => finish({ ok: false, kind: 'network' }));
      res.on('aborted', () => finish({ ok: false, kind: 'network' }));
    });
    const deadline = setTimeout(() => {
      finish({ ok: false, kind: 'timeout' });
      req.destroy();
    }, limits.timeoutMs);
    req.on('error', () => finish({ ok: false, kind: 'network' }));
    req.end(body);
  });
}
