import { describe, expect, it } from 'vitest';
import { DEFAULTS, type ReadText } from './settings.js';
import { loadCarriers } from './carrier-settings.js';
import { loadGatewayConfig } from './gateway-config.js';
import { loadImportConfig } from './ingest-config.js';

const FILE = JSON.stringify({
  server: { port: 9000, db: '/var/lib/wxtrack.db', windowSeconds: 120 },
  carriers: [
    {
      id: 'YTO',
      name: '圆通速递',
      tokens: [{ env: 'YTO_TOKEN' }],
      waybillPattern: 'YT\\d{13}',
      cells: [{ key: 'wxpay', name: '支付运单', link: 'pages/pay/index' }],
    },
    {
      id: 'SF',
      name: '顺丰速运',
      tokens: [{ env: 'SF_TOKEN' }],
      waybillPattern: 'SF\\d{12}',
      timezone: 'Asia/Hong_Kong',
    },
  ],
});
const files: Record<string, string> = { 'wxtrack.config.json': FILE };
const read: ReadText = (path) => {
  const text = files[path];
  if (text === undefined) throw new Error('ENOENT: no such file');
  return text;
};
const SECRETS = { YTO_TOKEN: 'yto-secret', SF_TOKEN: 'sf-secret' };

describe('loadGatewayConfig without a file (the foundation setup)', () => {
  it('builds one carrier from flags and variables', () => {
    const r = loadGatewayConfig({ token: 'abc,def' }, { WXTRACK_WAYBILL_PATTERN: 'YT\\d{13}' }, read);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.configFile).toBeUndefined();
    expect(r.config.carriers).toHaveLength(1);
    expect(r.config.carriers[0]).toMatchObject({
      id: 'default',
      tokens: ['abc', 'def'],
      waybillPattern: 'YT\\d{13}',
    });
    expect(r.config.port).toBe(8787);
  });

  it('holds a flag-given pattern to the same safety rules as the file', () => {
    const r = loadGatewayConfig({ token: 'abc', 'waybill-pattern': '(a+)+' }, {}, read);
    expect(r.ok ? [] : r.errors).toEqual([
      expect.stringMatching(/^waybill-pattern: can backtrack catastrophically/),
    ]);
  });

  it('still requires a token', () => {
    const r = loadGatewayConfig({}, {}, read);
    expect(r.ok ? [] : r.errors).toEqual([expect.stringMatching(/^token: required/)]);
  });
});

describe('loadGatewayConfig with a file', () => {
  it('takes the carriers from --config, and listening settings from the file', () => {
    const r = loadGatewayConfig({ config: 'wxtrack.config.json' }, SECRETS, read);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.carriers.map((c) => [c.id, c.tokens[0]])).toEqual([
      ['YTO', 'yto-secret'],
      ['SF', 'sf-secret'],
    ]);
    expect(r.config).toMatchObject({
      port: 9000,
      store: { kind: 'sqlite', path: '/var/lib/wxtrack.db' },
      windowSeconds: 120,
    });
    expect(r.config.configFile).toBe('wxtrack.config.json');
  });

  it('finds the file through WXTRACK_CONFIG, and lets flags and variables override it', () => {
    const r = loadGatewayConfig(
      { port: '7000' },
      { ...SECRETS, WXTRACK_CONFIG: 'wxtrack.config.json', WXTRACK_DB: ':memory:' },
      read,
    );
    expect(r.ok && [r.config.port, r.config.store, r.config.windowSeconds]).toEqual([
      7000,
      { kind: 'sqlite', path: ':memory:' },
      120,
    ]);
  });

  it('refuses carrier flags beside a file, and reports the file errors with their paths', () => {
    const r = loadGatewayConfig(
      { config: 'wxtrack.config.json', token: 'x' },
      { YTO_TOKEN: 'yto-secret' },
      read,
    );
    expect(r.ok ? [] : r.errors).toEqual([
      'token: carriers come from wxtrack.config.json; drop --token',
      'carriers[1].tokens[0]: environment variable SF_TOKEN is not set',
    ]);
  });

  it('names an unreadable file', () => {
    const r = loadGatewayConfig({ config: 'missing.json' }, {}, read);
    expect(r.ok ? [] : r.errors).toEqual(['config: cannot read missing.json: ENOENT: no such file']);
  });
});

describe('loadCarriers and loadImportConfig', () => {
  it('serves commands that need no token', () => {
    const r = loadCarriers({ 'waybill-pattern': 'SF\\d{12}' }, {}, { requireToken: false, read });
    expect(r.ok && r.config.carriers[0]!.waybillPattern).toBe('SF\\d{12}');
  });

  it("imports for a file's carrier, with its zone and registered cell keys", () => {
    const yto = loadImportConfig({ carrier: 'YTO', config: 'wxtrack.config.json' }, SECRETS, read);
    expect(yto.ok && yto.config).toMatchObject({
      carrierId: 'YTO',
      store: { kind: 'sqlite', path: '/var/lib/wxtrack.db' },
    });
    expect(yto.ok && [...yto.config.cellKeys!]).toEqual(['wxpay']);
    const sf = loadImportConfig({ carrier: 'SF', config: 'wxtrack.config.json' }, SECRETS, read);
    expect(sf.ok && [sf.config.timezone, [...sf.config.cellKeys!]]).toEqual(['Asia/Hong_Kong', []]);
    const none = loadImportConfig({ config: 'wxtrack.config.json' }, SECRETS, read);
    expect(none.ok ? [] : none.errors).toEqual(['--carrier is required; one of YTO, SF']);
    const flagsOnly = loadImportConfig({ carrier: 'ZTO' }, {}, read);
    expect(flagsOnly.ok && flagsOnly.config.cellKeys).toBeUndefined();
  });
});

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
      store: { kind: 'sqlite', path: './data/wxtrack.db' },
      guard: { kind: 'memory', maxEntries: 3_005_000 },
      workers: 1,
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
    expect(fromEnv.ok && fromEnv.config).toMatchObject({
      port: 9000,
      store: { kind: 'sqlite', path: '/tmp/x.db' },
      host: '0.0.0.0',
    });
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
    expect(r.ok && r.config).toMatchObject({
      store: { kind: 'sqlite', path: 'x.db' },
      carrierId: DEFAULTS.carrierId,
      timezone: 'Asia/Shanghai',
    });
  });

  it('rejects an unknown time zone', () => {
    expect(loadImportConfig({ timezone: 'Nowhere/City' }, {}).ok).toBe(false);
  });
});
