/**
 * @module
 * Whose query is it: the address the track route's budget counts. The socket's address, unless
 * the socket comes from a proxy the operator declared (`--trusted-proxy CIDR…`): then the address
 * that proxy forwarded. Behind nginx every query's socket is nginx's, so without this every WeChat
 * user would share one budget; with it from anyone, a client could name any address it likes and
 * never run out.
 *
 * `X-Forwarded-For` is read from the right: each trusted proxy appends the address it saw, so the
 * rightmost entry that is not itself a trusted proxy is the client (nginx's
 * `$proxy_add_x_forwarded_for` keeps whatever the client sent on the left, where it is never
 * reached). Without that header, `X-Real-IP` (nginx's `$remote_addr`). An entry that is not an IP
 * address stops the walk at the last proxy trusted. Headers are only read for a trusted socket.
 *
 * The ranges are matched here, in a few integer operations, not with node:net's BlockList: its
 * `check` builds a SocketAddress per call, about 10 µs on the bench machine, as much as a whole
 * cached query; parsing and matching an IPv4 address here is well under 1 µs. No proxy declared:
 * nothing but the socket's address is read.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export type ClientAddressOf = (req: IncomingMessage) => string | undefined;

/** `10.0.0.0/8`, `192.0.2.7` (one address), `fd00::/8`: the parts, or undefined when malformed. */
export function parseCidr(
  text: string,
): { readonly address: string; readonly prefix: number; readonly family: 'ipv4' | 'ipv6' } | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  const prefixText = slash < 0 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** `::ffff:192.0.2.7` (an IPv4 client of a dual-stack socket) as `192.0.2.7`. */
const unmap = (address: string): string =>
  address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;

export function createClientAddressOf(trustedProxies: readonly string[]): ClientAddressOf {
  const socketOf: ClientAddressOf = (req) => req.socket.remoteAddress;
  if (trustedProxies.length === 0) return socketOf;
  const v4: [net: number, mask: number][] = [];
  const v6: [net: number[], prefix: number][] = [];
  for (const cidr of trustedProxies) {
    const parsed = parseCidr(cidr.trim());
    if (parsed === undefined) throw new RangeError(`not an address or CIDR range: ${cidr}`);
    if (parsed.family === 'ipv4') {
      const mask = parsed.prefix === 0 ? 0 : (~0 << (32 - parsed.prefix)) >>> 0;
      v4.push([(ipv4ToInt(parsed.address)! & mask) >>> 0, mask]);
    } else v6.push([ipv6ToWords(parsed.address)!, parsed.prefix]);
  }
  const trusted = (address: string): boolean => {
    const n = ipv4ToInt(address);
    if (n !== undefined) {
      for (const [net, mask] of v4) if ((n & mask) >>> 0 === net) return true;
      return false;
    }
    if (v6.length === 0) return false;
    const words = ipv6ToWords(address);
    return words !== undefined && v6.some(([net, prefix]) => inPrefix(words, net, prefix));
  };
  return (req) => {
    const socket = req.socket.remoteAddress;
    if (socket === undefined) return undefined;
    let hop = unmap(socket);
    if (!trusted(hop)) return socket;
    const forwarded = req.headers['x-forwarded-for'];
    if (typeof forwarded === 'string' && forwarded !== '') {
      const entries = forwarded.split(',');
      for (let i = entries.length - 1; i >= 0; i--) {
        const entry = unmap(entries[i]!.trim());
        if (isIP(entry) === 0) return hop;
        if (!trusted(entry)) return entry;
        hop = entry;
      }
      return hop;
    }
    const real = req.headers['x-real-ip'];
    if (typeof real === 'string') {
      const entry = unmap(real.trim());
      if (isIP(entry) !== 0) return entry;
    }
    return hop;
  };
}

/** `192.0.2.7` as an unsigned 32-bit integer; undefined for anything else. */
export function ipv4ToInt(text: string): number | undefined {
  let n = 0;
  let part = -1;
  let parts = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; // a final '.'
    if (c === 46) {
      if (part < 0 || part > 255 || ++parts > 4) return undefined;
      n = n * 256 + part;
      part = -1;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      if (++digits > 3 || (digits > 1 && part === 0)) return undefined;
      part = (part < 0 ? 0 : part * 10) + (c - 48);
    } else return undefined;
  }
  return parts === 4 ? n : undefined;
}

/** An IPv6 address as its eight 16-bit words; undefined when it is not one. */
export function ipv6ToWords(text: string): number[] | undefined {
  if (isIP(text) !== 6) return undefined;
  let body = text;
  const tail: number[] = [];
  const lastColon = body.lastIndexOf(':');
  if (body.includes('.', lastColon)) {
    const v4 = ipv4ToInt(body.slice(lastColon + 1));
    if (v4 === undefined) return undefined;
    tail.push(v4 >>> 16, v4 & 0xffff);
    body = body.slice(0, lastColon + 1) + '0';
  }
  const [left, right] = body.split('::') as [string, string | undefined];
  const words = (s: string) => (s === '' ? [] : s.split(':').map((w) => parseInt(w, 16)));
  const head = words(left);
  const rest = right === undefined ? [] : words(right);
  // The IPv4 tail stood in as one word "0": drop it from the side it is on.
  if (tail.length > 0) {
    if (right !== undefined) rest.pop();
    else head.pop();
  }
  const fill = 8 - tail.length - head.length - rest.length;
  const all = [...head, ...Array<number>(right === undefined ? 0 : fill).fill(0), ...rest, ...tail];
  return all.length === 8 ? all : undefined;
}

function inPrefix(words: readonly number[], net: readonly number[], prefix: number): boolean {
  for (let i = 0, left = prefix; left > 0; i++, left -= 16) {
    const mask = left >= 16 ? 0xffff : (0xffff << (16 - left)) & 0xffff;
    if ((words[i]! & mask) !== (net[i]! & mask)) return false;
  }
  return true;
}
