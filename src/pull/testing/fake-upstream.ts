/**
 * @module
 * Fake tracking APIs on real sockets, for tests and the bench: a Kuaidi100-shaped and a
 * Kdniao-shaped one, each of which checks the signature it receives exactly as the real one
 * documents it (a bad signature gets the real API's refusal), and a plain one. What each waybill
 * answers is set per test; so are faults (a delay, a status, raw bytes, a stalled body).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { hmacCanonical, hmacSha256Hex, kdniaoDataSign, kuaidi100Sign } from '../signing.js';

/** What the fake sends for one request. */
export interface FakeAnswer {
  readonly status?: number;
  /** A JSON value, or raw text/bytes sent as they are. */
  readonly json?: unknown;
  readonly raw?: string | Buffer;
  /** Wait this long before answering. */
  readonly delayMs?: number;
  /** Send headers and a first byte, then never finish. */
  readonly stall?: boolean;
}

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  readonly form: URLSearchParams;
}

export interface FakeUpstream {
  readonly url: string;
  /** Requests received (signature failures included). */
  calls: number;
  /** Requests whose signature did not verify. */
  badSignatures: number;
  /** Requests being answered right now, and the most at once. */
  inFlight: number;
  maxInFlight: number;
  /** Decides every answer; replace it per test. */
  answer: (waybill: string, request: FakeRequest) => FakeAnswer;
  close(): Promise<void>;
}

type Verify = (r: FakeRequest) => { ok: true; waybill: string } | { ok: false; refusal: unknown };

async function startFake(verify: Verify, path: string): Promise<FakeUpstream> {
  const sockets = new Set<Socket>();
  const fake: FakeUpstream = {
    url: '',
    calls: 0,
    badSignatures: 0,
    inFlight: 0,
    maxInFlight: 0,
    answer: () => ({ status: 404, json: {} }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      fake.calls++;
      const body = Buffer.concat(chunks).toString('utf8');
      const request: FakeRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        form: new URLSearchParams(body),
      };
      const checked = verify(request);
      if (!checked.ok) {
        fake.badSignatures++;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(checked.refusal));
        return;
      }
      const a = fake.answer(checked.waybill, request);
      fake.inFlight++;
      fake.maxInFlight = Math.max(fake.maxInFlight, fake.inFlight);
      const send = () => {
        fake.inFlight--;
        if (res.destroyed) return;
        if (a.stall) {
          res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
          res.write('{');
          return;
        }
        const payload = a.raw ?? JSON.stringify(a.json ?? null);
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(payload);
      };
      if (a.delayMs) setTimeout(send, a.delayMs);
      else send();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  (fake as { url: string }).url = `http://127.0.0.1:${port}${path}`;
  return fake;
}

/** Kuaidi100's real-time query: form `customer`, `sign`, `param`; sign = upper(md5(param+key+customer)). */
export function startFakeKuaidi100(customer: string, key: string): Promise<FakeUpstream> {
  return startFake((r) => {
    const param = r.form.get('param') ?? '';
    const ok =
      r.method === 'POST' &&
      r.form.get('customer') === customer &&
      r.form.get('sign') === kuaidi100Sign(param, key, customer);
    if (!ok) return { ok: false, refusal: { result: false, returnCode: '503', message: '验证签名失败' } };
    try {
      const p = JSON.parse(param) as { num?: unknown };
      return { ok: true, waybill: String(p.num) };
    } catch {
      return { ok: false, refusal: { result: false, returnCode: '400', message: '找不到对应公司' } };
    }
  }, '/poll/query.do');
}

/** Kdniao's 1002: form `RequestData`, `EBusinessID`, `RequestType`, `DataSign`. */
export function startFakeKdniao(businessId: string, appKey: string): Promise<FakeUpstream> {
  return startFake((r) => {
    const data = r.form.get('RequestData') ?? '';
    const ok =
      r.method === 'POST' &&
      r.form.get('EBusinessID') === businessId &&
      r.form.get('RequestType') === '1002' &&
      // URLSearchParams undid the urlencode: what remains is base64(md5hex(data + key)).
      r.form.get('DataSign') === kdniaoDataSign(data, appKey);
    if (!ok)
      return { ok: false, refusal: { EBusinessID: businessId, Success: false, Reason: '数据签名验证失败' } };
    try {
      const d = JSON.parse(data) as { LogisticCode?: unknown };
      return { ok: true, waybill: String(d.LogisticCode) };
    } catch {
      return { ok: false, refusal: { Success: false, Reason: 'RequestData 格式错误' } };
    }
  }, '/Ebusiness/EbusinessOrderHandle.aspx');
}

/** A generic API: `GET /track/<waybill>`, checked for an HMAC-SHA256 or a bearer token. */
export function startFakeGeneric(auth: { hmacSecret?: string; bearer?: string }): Promise<FakeUpstream> {
  return startFake((r) => {
    const waybill = decodeURIComponent((r.path.split('?')[0] ?? '').split('/').pop() ?? '');
    if (auth.bearer !== undefined && r.headers.authorization !== 'Bearer ' + auth.bearer)
      return { ok: false, refusal: { error: 'unauthorized' } };
    if (auth.hmacSecret !== undefined) {
      const ts = String(r.headers['x-timestamp'] ?? '');
      const want = hmacSha256Hex(auth.hmacSecret, hmacCanonical(r.method, r.path, ts, r.body));
      if (r.headers['x-signature'] !== want) return { ok: false, refusal: { error: 'bad signature' } };
    }
    return { ok: true, waybill };
  }, '/track');
}
