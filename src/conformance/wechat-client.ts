/**
 * @module
 * Playing WeChat's front end over HTTP: signed queries built exactly as WeChat builds them
 * (spec §1: `sha1(sorted(token, timestamp, nonce).join(''))`, via protocol/signature.ts), sent
 * as GET, with every nonce fresh. Probes may bend one parameter; the raw reply comes back whole
 * (status, headers, body as text) for the checks to judge.
 */
import { signedQueryParams, type SignedParamsInput } from '../protocol/signed-url.js';
import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';

export interface Reply {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
  /** Milliseconds from sending to the last byte. */
  readonly ms: number;
}

/** One query's parameters, in the order WeChat's template lists them. */
export type QueryParams = readonly (readonly [string, string])[];

/** One query's signing input (see protocol/signed-url.ts). */
export type SignInput = SignedParamsInput;

/** The parameters WeChat sends for one query, signed. */
export const signedParams = signedQueryParams;

/** A nonce never used before in this process: a counter, plus random digits across processes. */
let nonceSeq = 0;
export function freshNonce(): string {
  nonceSeq++;
  return String(randomBytes(4).readUInt32BE(0)) + String(nonceSeq).padStart(6, '0');
}

/** WeChat-like openids (28 base64url characters), distinct per probe. */
export function probeOpenid(tag: string): string {
  return ('oWxtrackCheck' + tag + '0000000000000000').slice(0, 28);
}

export interface Client {
  get(params: QueryParams): Promise<Reply>;
  close(): void;
}

/** Largest body read; a reply larger than this is cut (and will fail the shape check). */
const MAX_BODY = 1 << 20;

export function createClient(
  endpoint: string,
  options: { connections?: number; timeoutMs?: number } = {},
): Client {
  const url = new URL(endpoint);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('the URL must be http or https');
  const lib = url.protocol === 'https:' ? https : http;
  const agent = new lib.Agent({ keepAlive: true, maxSockets: options.connections ?? 1 });
  const timeoutMs = options.timeoutMs ?? 10_000;
  return {
    get: (params) =>
      new Promise<Reply>((resolve, reject) => {
        const query = params.map(([k, v]) => encodeURIComponent(k) + '=' + encodeURIComponent(v)).join('&');
        const path = url.pathname + (url.search ? url.search + '&' : '?') + query;
        const started = performance.now();
        const req = lib.get(
          { protocol: url.protocol, hostname: url.hostname, port: url.port, path, agent, timeout: timeoutMs },
          (res) => {
            const chunks: Buffer[] = [];
            let size = 0;
            res.on('data', (chunk: Buffer) => {
              if (size < MAX_BODY) chunks.push(chunk);
              size += chunk.length;
            });
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                contentType: res.headers['content-type'],
                body: Buffer.concat(chunks).toString('utf8'),
                ms: performance.now() - started,
              }),
            );
            res.on('error', reject);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`no reply within ${timeoutMs} ms`)));
        req.on('error', reject);
      }),
    close: () => agent.destroy(),
  };
}
