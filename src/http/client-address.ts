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
 * address stops the walk at the last proxy trusted. Headers are only read for a trusted socket, so
 * a direct query costs one BlockList lookup at most, none when no proxy is declared.
 */
import type { IncomingMessage } from 'node:http';
import { BlockList, isIP } from 'node:net';

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
  const list = new BlockList();
  for (const cidr of trustedProxies) {
    const parsed = parseCidr(cidr.trim());
    if (parsed === undefined) throw new RangeError(`not an address or CIDR range: ${cidr}`);
    list.addSubnet(parsed.address, parsed.prefix, parsed.family);
  }
  const trusted = (address: string): boolean => {
    const version = isIP(address);
    return version !== 0 && list.check(address, version === 4 ? 'ipv4' : 'ipv6');
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
