/**
 * @module
 * Whose budget a query spends: the socket's address, or, from a declared proxy only, the address
 * it forwarded. Unit cases on the header walk, then over real sockets from several loopback
 * addresses: a trusted proxy's clients get a budget each, and an untrusted client cannot name
 * another address to dodge its own.
 */
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseJsonpBody } from '../protocol/jsonp.js';
import { gatewayFixture, type GatewayFixture } from '../testing/gateway-fixture.js';
import { bodyOf, collect, listenLocal, open } from '../testing/raw-http.js';
import { createClientAddressOf, ipv4ToInt, ipv6ToWords, parseCidr } from './client-address.js';

const req = (remoteAddress: string, headers: Record<string, string> = {}) =>
  ({ socket: { remoteAddress }, headers }) as unknown as IncomingMessage;

describe('parseCidr', () => {
  it('reads addresses and ranges of both families, and refuses anything else', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    expect(parseCidr('192.0.2.7')).toEqual({ address: '192.0.2.7', prefix: 32, family: 'ipv4' });
    expect(parseCidr('fd00::/8')).toEqual({ address: 'fd00::', prefix: 8, family: 'ipv6' });
    for (const bad of ['10.0.0.0/33', '10.0.0/8', 'nginx', '10.0.0.0/', '10.0.0.0/8x', '::/129', ''])
      expect(parseCidr(bad), bad).toBeUndefined();
  });
});

describe('address parsing', () => {
  it('reads IPv4 as an integer and refuses near misses', () => {
    expect(ipv4ToInt('10.0.0.1')).toBe(0x0a000001);
    expect(ipv4ToInt('255.255.255.255')).toBe(0xffffffff);
    for (const bad of [
      '10.0.0',
      '10.0.0.1.2',
      '256.0.0.1',
      '01.0.0.1',
      '10..0.1',
      '',
      'a.b.c.d',
      '10.0.0.1 ',
    ])
      expect(ipv4ToInt(bad), bad).toBeUndefined();
  });

  it('reads IPv6, abbreviated or with an IPv4 tail, as eight words', () => {
    expect(ipv6ToWords('fd00::1')).toEqual([0xfd00, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6ToWords('::1')).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect(ipv6ToWords('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304]);
    expect(ipv6ToWords('1:2:3:4:5:6:1.2.3.4')).toEqual([1, 2, 3, 4, 5, 6, 0x0102, 0x0304]);
    expect(ipv6ToWords('1:2:3:4:5:6:7:8')).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(ipv6ToWords('10.0.0.1')).toBeUndefined();
  });

  it('matches IPv4 and IPv6 ranges by their prefix only', () => {
    const of = createClientAddressOf(['10.0.0.0/8', 'fd00::/8', '0.0.0.0/0']);
    const v6only = createClientAddressOf(['fd00::/8']);
    expect(v6only(req('fd12::5', { 'x-forwarded-for': '2001:db8::9' }))).toBe('2001:db8::9');
    expect(v6only(req('fe00::5', { 'x-forwarded-for': '2001:db8::9' }))).toBe('fe00::5');
    // 0.0.0.0/0 trusts every IPv4 address: the walk goes to the leftmost
    expect(of(req('192.0.2.1', { 'x-forwarded-for': '203.0.113.9, 10.1.1.1' }))).toBe('203.0.113.9');
  });
});

describe('createClientAddressOf', () => {
  const of = createClientAddressOf(['10.0.0.0/8', '192.0.2.1']);

  it('takes the socket address when no proxy is declared, whatever the headers say', () => {
    const none = createClientAddressOf([]);
    expect(none(req('203.0.113.5', { 'x-forwarded-for': '1.1.1.1', 'x-real-ip': '2.2.2.2' }))).toBe(
      '203.0.113.5',
    );
  });

  it('ignores the headers of a socket that is not a declared proxy', () => {
    expect(of(req('203.0.113.5', { 'x-forwarded-for': '1.1.1.1', 'x-real-ip': '2.2.2.2' }))).toBe(
      '203.0.113.5',
    );
  });

  it('takes the rightmost X-Forwarded-For entry that is not a proxy: what the client prepends is never reached', () => {
    expect(of(req('10.0.0.5', { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' }))).toBe('203.0.113.9');
    // two proxies deep: a load balancer (192.0.2.1) in front of nginx (10.0.0.5)
    expect(of(req('10.0.0.5', { 'x-forwarded-for': '6.6.6.6, 203.0.113.9, 192.0.2.1' }))).toBe('203.0.113.9');
  });

  it('stops at the last trusted hop on an entry that is not an address', () => {
    expect(of(req('10.0.0.5', { 'x-forwarded-for': 'junk, 10.1.1.1' }))).toBe('10.1.1.1');
    expect(of(req('10.0.0.5', { 'x-forwarded-for': 'junk' }))).toBe('10.0.0.5');
  });

  it('falls back to X-Real-IP, then to the proxy itself', () => {
    expect(of(req('10.0.0.5', { 'x-real-ip': '203.0.113.9' }))).toBe('203.0.113.9');
    expect(of(req('10.0.0.5', { 'x-real-ip': 'nope' }))).toBe('10.0.0.5');
    expect(of(req('10.0.0.5'))).toBe('10.0.0.5');
  });

  it('reads an IPv4 client of a dual-stack socket as IPv4', () => {
    expect(of(req('::ffff:10.0.0.5', { 'x-forwarded-for': '::ffff:203.0.113.9' }))).toBe('203.0.113.9');
  });

  it('refuses a malformed range at construction', () => {
    expect(() => createClientAddressOf(['10.0.0.0/99'])).toThrow(/CIDR/);
  });
});

describe('the budget behind a trusted proxy, over real sockets', () => {
  let fx: GatewayFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });
  const LIMITS = { requestTimeoutMs: 10_000, idleTimeoutMs: 10_000, maxConnections: 1024 };

  const code = async (port: number, target: string, from: string, headers = '') => {
    const socket = await open(port, from);
    const result = collect(socket, 5000);
    socket.write(`GET ${target} HTTP/1.1\r\nHost: x\r\n${headers}Connection: close\r\n\r\n`);
    return (parseJsonpBody(bodyOf((await result).text)) as { err_code: number }).err_code;
  };

  it('gives each forwarded client its own budget, and a direct client only its socket address', async () => {
    fx = await gatewayFixture({
      limits: { ...LIMITS, rateLimitPerMinute: 2, trustedProxies: ['127.0.0.1/32'] },
    });
    const port = await listenLocal(fx.app);
    const q = () => fx!.signed('YT1234567890123');
    // the proxy (127.0.0.1) forwards two clients: two budgets
    const viaProxy = (client: string) => code(port, q(), '127.0.0.1', `X-Forwarded-For: ${client}\r\n`);
    expect([
      await viaProxy('203.0.113.1'),
      await viaProxy('203.0.113.1'),
      await viaProxy('203.0.113.1'),
    ]).toEqual([40401, 40401, 42901]);
    expect(await viaProxy('203.0.113.2')).toBe(40401);
    // X-Real-IP alone names the client too
    expect(await code(port, q(), '127.0.0.1', 'X-Real-IP: 203.0.113.3\r\n')).toBe(40401);
    // 127.0.0.3 is no proxy: a new forged address each time does not buy a new budget
    const forged: number[] = [];
    for (let i = 0; i < 3; i++)
      forged.push(await code(port, q(), '127.0.0.3', `X-Forwarded-For: 198.51.100.${i}\r\n`));
    expect(forged).toEqual([40401, 40401, 42901]);
  });
});
