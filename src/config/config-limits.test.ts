/**
 * @module
 * The connection limits, abuse limits and metrics settings: defaults, the precedence flag >
 * variable > file > default, their bounds, and the warning about secrets on the command line.
 */
import { describe, expect, it } from 'vitest';
import { secretFlagWarnings, SECRET_FLAGS, type ReadText } from './settings.js';
import { LIMIT_DEFAULTS, loadGatewayConfig } from './gateway-config.js';

const FILE = JSON.stringify({
  server: { requestTimeoutSeconds: 7, maxConnections: 50, rateLimitPerMinute: 30, metricsPort: 9464 },
  carriers: [{ id: 'YTO', name: '圆通', tokens: ['yto-secret'], waybillPattern: 'YT\\d{13}' }],
});
const read: ReadText = (path) => {
  if (path !== 'c.json') throw new Error('ENOENT');
  return FILE;
};

describe('limits settings', () => {
  it('defaults: 10 s request and idle timeouts, 1024 connections, 600 queries a minute, no metrics', () => {
    const r = loadGatewayConfig({ token: 'abc' }, {});
    expect(r.ok && r.config.limits).toEqual({
      requestTimeoutMs: LIMIT_DEFAULTS.requestTimeoutSeconds * 1000,
      idleTimeoutMs: 10_000,
      maxConnections: 1024,
      rateLimitPerMinute: 600,
      metrics: undefined,
    });
  });

  it('reads the file, lets variables override it and flags override those', () => {
    const r = loadGatewayConfig(
      { config: 'c.json', 'max-connections': '60', 'metrics-host': '::1' },
      { WXTRACK_MAX_CONNECTIONS: '70', WXTRACK_RATE_LIMIT: '0', WXTRACK_IDLE_TIMEOUT: '3' },
      read,
    );
    expect(r.ok && r.config.limits).toEqual({
      requestTimeoutMs: 7000,
      idleTimeoutMs: 3000,
      maxConnections: 60,
      rateLimitPerMinute: 0,
      metrics: { host: '::1', port: 9464 },
    });
  });

  it('turns metrics on by port alone, on loopback', () => {
    const r = loadGatewayConfig({ token: 'abc', 'metrics-port': '0' }, {});
    expect(r.ok && r.config.limits?.metrics).toEqual({ host: '127.0.0.1', port: 0 });
  });

  it('refuses out-of-range values, each by name', () => {
    const r = loadGatewayConfig(
      { token: 'abc', 'request-timeout': '0', 'max-connections': 'many' },
      { WXTRACK_IDLE_TIMEOUT: '601', WXTRACK_METRICS_PORT: '70000' },
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.join('\n')).toMatch(/request-timeout/);
    expect(r.errors.join('\n')).toMatch(/idle-timeout/);
    expect(r.errors.join('\n')).toMatch(/max-connections/);
    expect(r.errors.join('\n')).toMatch(/metrics-port/);
  });
});

describe('secretFlagWarnings', () => {
  it('warns about --token given as a flag, naming the variable instead', () => {
    const [warning, ...rest] = secretFlagWarnings({ token: 'abc', port: '1' });
    expect(rest).toEqual([]);
    expect(warning).toMatch(/--token/);
    expect(warning).toMatch(/WXTRACK_TOKEN/);
    // The warning names the flag, never its value.
    expect(warning).not.toMatch(/abc/);
  });

  it('is silent when secrets come from elsewhere', () => {
    expect(secretFlagWarnings({ port: '1', config: 'c.json' })).toEqual([]);
  });

  it('covers every secret flag in the list', () => {
    // A location flag (--db, --redis) is a secret only when its URL carries a password.
    const flags = Object.fromEntries(
      SECRET_FLAGS.map((s) => [s.flag, s.location ? 'postgres://u:pw@h/db' : 'x']),
    );
    expect(secretFlagWarnings(flags)).toHaveLength(SECRET_FLAGS.length);
    expect(secretFlagWarnings({ db: './data/x.db', redis: 'redis://h:6379' })).toEqual([]);
  });
});

describe('trusted proxies', () => {
  it('reads repeated or comma-separated flags, else the variable, else the file, and checks each range', () => {
    const flags = loadGatewayConfig(
      { token: 'abc', 'trusted-proxy': ['10.0.0.0/8,192.0.2.1', 'fd00::/8'] } as never,
      {
        WXTRACK_TRUSTED_PROXY: '172.16.0.0/12',
      },
    );
    expect(flags.ok && flags.config.limits?.trustedProxies).toEqual(['10.0.0.0/8', '192.0.2.1', 'fd00::/8']);
    const variable = loadGatewayConfig(
      { token: 'abc' },
      { WXTRACK_TRUSTED_PROXY: '172.16.0.0/12 127.0.0.1' },
    );
    expect(variable.ok && variable.config.limits?.trustedProxies).toEqual(['172.16.0.0/12', '127.0.0.1']);
    const file = JSON.stringify({
      server: { trustedProxies: ['10.1.0.0/16'] },
      carriers: [{ id: 'YTO', name: '圆通', tokens: ['yto-secret'], waybillPattern: 'YT\\d{13}' }],
    });
    const fromFile = loadGatewayConfig({ config: 'f.json' }, {}, () => file);
    expect(fromFile.ok && fromFile.config.limits?.trustedProxies).toEqual(['10.1.0.0/16']);
    const bad = loadGatewayConfig({ token: 'abc', 'trusted-proxy': 'nginx' }, {});
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.join('\n')).toMatch(/trusted-proxy: "nginx"/);
  });
});
