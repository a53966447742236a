// A Kuaidi100-shaped tracking API for the pull-mode bench, in a process of its own: checks each
// request's signature as the real API documents it, answers every waybill with an 8-trace reply
// after BENCH_PULL_UPSTREAM_MS, and counts calls per waybill. GET /stats returns the counts.
//
//   node bench/track/fake-upstream.mjs --port P --customer C --key K --delay-ms MS
import { createHash } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    customer: { type: 'string' },
    key: { type: 'string' },
    'delay-ms': { type: 'string', default: '20' },
  },
});
const delay = Number(values['delay-ms']);
const perWaybill = new Map();
let calls = 0;
let badSignatures = 0;
const sign = (param) =>
  createHash('md5')
    .update(param + values.key + values.customer)
    .digest('hex')
    .toUpperCase();

const PLACES = ['北京转运中心', '上海转运中心', '广州转运中心', '深圳转运中心', '杭州转运中心'];
function reply(num) {
  const data = [];
  for (let i = 7; i >= 0; i--) {
    const day = String(1 + (i >> 1)).padStart(2, '0');
    const t = `2026-07-${day} ${String(8 + i).padStart(2, '0')}:15:00`;
    data.push({
      context: `快件已到达【${PLACES[i % 5]}】，正发往下一站`,
      time: t,
      ftime: t,
      areaName: PLACES[i % 5],
    });
  }
  return JSON.stringify({
    message: 'ok',
    state: '0',
    status: '200',
    ischeck: '0',
    com: 'yuantong',
    nu: num,
    data,
  });
}

http
  .createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/stats') {
      let max = 0;
      for (const n of perWaybill.values()) max = Math.max(max, n);
      res.end(JSON.stringify({ calls, distinct: perWaybill.size, maxPerWaybill: max, badSignatures }));
      return;
    }
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      calls++;
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const param = form.get('param') ?? '';
      if (form.get('customer') !== values.customer || form.get('sign') !== sign(param)) {
        badSignatures++;
        res.end('{"result":false,"returnCode":"503","message":"验证签名失败"}');
        return;
      }
      const num = JSON.parse(param).num;
      perWaybill.set(num, (perWaybill.get(num) ?? 0) + 1);
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(reply(num)), delay);
    });
  })
  .listen(Number(values.port), values.host, () => process.stdout.write('ready\n'));
