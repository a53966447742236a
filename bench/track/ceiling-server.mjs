// The ceiling: a bare node:http server that answers every request with one fixed JSONP body of a
// given size and wxtrack's reply headers. No routing, no query parsing, no signature check, no
// database: what one Node process on one core can serve at best, for the same bytes on the wire.
//
//   node bench/track/ceiling-server.mjs --port 39081 --size 1461 [--host 127.0.0.1]
import http from 'node:http';

function arg(name, fallback) {
  const i = process.argv.indexOf('--' + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const host = arg('host', '127.0.0.1');
const port = Number(arg('port', '39081'));
const size = Number(arg('size', '1461'));

// A body that reads like a successful reply (`WxOrderCb({"err_code":0,...})`), padded to `size`.
const head = 'WxOrderCb({"err_code":0,"err_msg":"ok","order_status":4,"pad":"';
const tail = '"})';
if (!Number.isInteger(size) || size < head.length + tail.length) {
  console.error(`ceiling: --size must be an integer >= ${head.length + tail.length}`);
  process.exit(2);
}
const body = Buffer.from(head + 'x'.repeat(size - head.length - tail.length) + tail, 'utf8');

const headers = {
  'Content-Type': 'text/javascript; charset=utf-8',
  'Content-Length': String(body.length),
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
};

const server = http.createServer((req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
server.listen(port, host, () => {
  console.log(`ceiling: listening on http://${host}:${port}, body ${body.length} bytes`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
