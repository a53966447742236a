import { describe, expect, it } from 'vitest';
import { DEFAULTS, loadGatewayConfig, loadImportConfig } from './config.js';

describe('loadGatewayConfig', () => {
  it('refuses to load without a token, saying how to give one', () => {
    const r = loadGatewayConfig({}, {});
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      expect.stringMatching(/^token: required; pass --token or set WXTRACK_TOKEN/),
    ]);
  });

  it('applies the documented defaults', () => {
    const r = loadGatewayConfig({ token: 'abc123' }, {});
    expect(r.ok && r.config).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      dbPath: './data/wxtrack.db',
      trackPath: '/wechat/track',
      windowSeconds: 300,
      callbacks: ['WxOrderCb'],
      accessLog: false,
    });
    expect(r.ok && r.config.carriers[0]).toMatchObject({
      id: 'default',
      tokens: ['abc123'],
      timezone: 'Asia/Shanghai',
    });
  });

  it('reads variables, and lets flags override them', () => {
    const env = {
      WXTRACK_TOKEN: 'envtoken',
      WXTRACK_PORT: '9000',
      WXTRACK_DB: '/tmp/x.db',
      WXTRACK_HOST: '0.0.0.0',
    };
    const fromEnv = loadGatewayConfig({}, env);
    expect(fromEnv.ok && fromEnv.config).toMatchObject({ port: 9000, dbPath: '/tmp/x.db', host: '0.0.0.0' });
    const flagged = loadGatewayConfig({ port: '9100', token: 'flagtoken' }, env);
    expect(flagged.ok && flagged.config.port).toBe(9100);
    expect(flagged.ok && flagged.config.carriers[0]!.tokens).toEqual(['flagtoken']);
  });

  it('takes several comma-separated tokens for a rotation, current first', () => {
    const r = loadGatewayConfig({ token: 'newtoken, oldtoken' }, {});
    expect(r.ok && r.config.carriers[0]!.tokens).toEqual(['newtoken', 'oldtoken']);
  });

  it('reports every bad setting at once, each by name', () => {
    const r = loadGatewayConfig(
      {
        token: 'x',
        port: '70000',
        'window-seconds': 'abc',
        timezone: 'Mars/Olympus',
        'waybill-pattern': '(unclosed',
        path: 'no-slash',
        'log-level': 'loud',
      },
      {},
    );
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    expect(errors.map((e) => e.split(':')[0])).toEqual([
      'token[0]',
      'timezone',
      'waybill-pattern',
      'port',
      'window-seconds',
      'path',
      'log-level',
    ]);
  });

  it('anchors the waybill pattern', () => {
    const r = loadGatewayConfig({ token: 'abc', 'waybill-pattern': 'YT\\d{3}' }, {});
    const m = r.ok ? r.config.carriers[0]!.waybillMatcher : /x/;
    expect(m.test('YT123')).toBe(true);
    expect(m.test('YT1234')).toBe(false);
  });

  it('returns a frozen config', () => {
    const r = loadGatewayConfig({ token: 'abc' }, {});
    expect(r.ok && Object.isFrozen(r.config)).toBe(true);
    expect(r.ok && Object.isFrozen(r.config.carriers[0])).toBe(true);
  });
});

describe('loadImportConfig', () => {
  it('needs no token', () => {
    const r = loadImportConfig({ db: 'x.db' }, {});
    expect(r).toEqual({
      ok: true,
      config: { dbPath: 'x.db', carrierId: DEFAULTS.carrierId, timezone: 'Asia/Shanghai' },
    });
  });

  it('rejects an unknown time zone', () => {
    expect(loadImportConfig({ timezone: 'Nowhere/City' }, {}).ok).toBe(false);
  });
});
