/**
 * One rule for every command (issue: commands that agree): each flag's variable is honoured
 * everywhere, `--carrier` scopes what it is given to or is refused, a command needs only the
 * secrets of the carriers it touches, and messages suggest only what works. Through the real
 * CLI entry point, with a two-carrier configuration whose tokens are in the environment.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { computeSignature } from '../../protocol/signature.js';
import { event } from '../../store/store.case.test.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { cli } from '../../testing/cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-agree-'));
const configPath = join(dir, 'two.config.json');
const dbPath = join(dir, 'two.db');

const CONFIG = {
  server: { db: dbPath, redis: { env: 'WXT_AGREE_REDIS' }, guardSecret: { env: 'WXT_AGREE_GUARD' } },
  carriers: [
    {
      id: 'YTO',
      name: '圆通速递',
      tokens: [{ env: 'WXT_AGREE_YTO' }],
      waybillPattern: 'YT\\d{13}',
      cells: [{ key: 'wxpay', name: '支付运单', link: 'pages/pay/index' }],
      application: { features: '扫一扫查快递:轨迹查询' },
    },
    {
      id: 'JT',
      name: '极兔速递',
      tokens: [{ env: 'WXT_AGREE_JT' }],
      waybillPattern: 'JT\\d{13}',
      cells: [{ key: 'service', name: '联系客服', link: 'pages/service/index' }],
    },
  ],
};

/** Only the variables a case sets: every token, Redis and guard variable starts unset. */
function env(vars: Record<string, string> = {}) {
  for (const name of [
    'WXT_AGREE_YTO',
    'WXT_AGREE_JT',
    'WXT_AGREE_REDIS',
    'WXT_AGREE_GUARD',
    'WXTRACK_TOKEN',
    'WXTRACK_CONFIG',
    'WXTRACK_DB',
    'WXTRACK_CARRIER_ID',
  ])
    vi.stubEnv(name, '');
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
}

beforeAll(async () => {
  writeFileSync(configPath, JSON.stringify(CONFIG));
  env();
  const made = await cli('init', '--db', dbPath, '--config', join(dir, 'starter.json'));
  expect(made.code, made.err).toBe(0);
});
afterEach(() => vi.unstubAllEnvs());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('variables are honoured everywhere', () => {
  it('sign takes its token from WXTRACK_TOKEN, as serve does', async () => {
    env({ WXTRACK_TOKEN: 'env-token-1' });
    const r = await cli('sign', '--orderid', 'YT1', '--url', 'https://x.example/t');
    expect(r.code, r.err).toBe(0);
    const p = new URL(r.out.trim()).searchParams;
    expect(p.get('signature')).toBe(computeSignature('env-token-1', p.get('timestamp')!, p.get('nonce')!));
    expect(p.has('company_id')).toBe(false);
  });

  it('sign without any token names every way to give one', async () => {
    env();
    const r = await cli('sign', '--orderid', 'YT1');
    expect(r).toMatchObject({ code: 2 });
    expect(r.err).toBe(
      'wxtrack sign: --token, a configuration file (--config FILE or WXTRACK_CONFIG) or WXTRACK_TOKEN is required\n',
    );
  });

  it('check reads the carrier from WXTRACK_CONFIG, as sign does', async () => {
    env({ WXTRACK_CONFIG: configPath, WXT_AGREE_JT: 'jt-token-1' });
    // Past the token: what is missing now is the waybill, so the file was read.
    const r = await cli('check', 'http://127.0.0.1:9/wechat/track', '--carrier', 'JT');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^wxtrack check: at least one --orderid is required/);
  });
});

describe('a command needs only the secrets of the carriers it touches', () => {
  it('sign --carrier JT needs JT_TOKEN alone, and sends JT as company_id', async () => {
    env({ WXT_AGREE_JT: 'jt-token-1' });
    const r = await cli(
      'sign',
      '--config',
      configPath,
      '--carrier',
      'JT',
      '--orderid',
      'JT1',
      '--url',
      'https://x/t',
    );
    expect(r.code, r.err).toBe(0);
    const p = new URL(r.out.trim()).searchParams;
    expect(p.get('company_id')).toBe('JT');
    expect(p.get('signature')).toBe(computeSignature('jt-token-1', p.get('timestamp')!, p.get('nonce')!));
  });

  it('cells sheet --carrier JT needs no token at all', async () => {
    env();
    const r = await cli('cells', 'sheet', '--config', configPath, '--carrier', 'JT');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('pages/service/index');
    expect(r.out).not.toContain('pages/pay/index');
  });

  it('keys and import need no token, nor the guard secret', async () => {
    env();
    const r = await cli('keys', 'list', '--config', configPath);
    expect(r.code, r.err).toBe(0);
  });

  it('serve still needs every carrier it serves', async () => {
    env({ WXT_AGREE_JT: 'jt-token-1' });
    const r = await cli('config', 'check', configPath);
    expect(r.code).not.toBe(0);
    expect(r.out + r.err).toContain('environment variable WXT_AGREE_YTO is not set');
  });
});

describe('--carrier scopes or is refused', () => {
  it('keys: list shows every carrier without --carrier and one with it; revoke leaves another carrier’s key', async () => {
    env({ WXTRACK_CONFIG: configPath });
    expect((await cli('keys', 'create', '--name', 'pg-yto', '--carrier', 'YTO')).code).toBe(0);
    expect((await cli('keys', 'create', '--name', 'pg-jt', '--carrier', 'JT')).code).toBe(0);
    const all = await cli('keys', 'list', '--json');
    expect((JSON.parse(all.out) as { name: string }[]).map((k) => k.name).sort()).toEqual([
      'pg-jt',
      'pg-yto',
    ]);
    const jt = await cli('keys', 'list', '--json', '--carrier', 'JT');
    expect(
      (JSON.parse(jt.out) as { name: string; carrier: string }[]).map((k) => [k.name, k.carrier]),
    ).toEqual([['pg-jt', 'JT']]);

    const wrong = await cli('keys', 'revoke', 'pg-yto', '--carrier', 'JT');
    expect(wrong.code).toBe(1);
    expect(wrong.err).toBe(
      'wxtrack keys: the active key "pg-yto" belongs to carrier "YTO", not "JT"; nothing revoked\n',
    );
    const still = JSON.parse((await cli('keys', 'list', '--json', '--carrier', 'YTO')).out) as {
      revoked_at: string | null;
    }[];
    expect(still[0]!.revoked_at).toBeNull();

    expect((await cli('keys', 'revoke', 'pg-yto', '--carrier', 'YTO')).code).toBe(0);
    const unknown = await cli('keys', 'list', '--carrier', 'ZTO');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain('--carrier "ZTO" is not configured; one of YTO, JT');
  });

  it('apply refuses to choose between two carriers', async () => {
    env({ WXTRACK_CONFIG: configPath });
    const r = await cli('apply');
    expect(r.code).toBe(2);
    expect(r.err).toBe('wxtrack apply: --carrier is required; one of YTO, JT\n');
    const jt = await cli('apply', '--carrier', 'JT');
    expect(jt.out).toContain('极兔速递');
    expect(jt.out).not.toContain('圆通速递');
  });

  it('sign refuses --carrier without a file, and beside --token', async () => {
    env({ WXTRACK_TOKEN: 'env-token-1' });
    expect((await cli('sign', '--carrier', 'JT', '--orderid', 'JT1')).err).toMatch(
      /--carrier JT needs a configuration file/,
    );
    expect((await cli('sign', '--token', 'abc', '--carrier', 'JT', '--orderid', 'JT1')).err).toMatch(
      /with --token, use --company-id/,
    );
  });
});

describe('stored carriers nobody serves', () => {
  it('config check names them with their waybill counts and says how to keep the data', async () => {
    const store = new SqliteStore({ path: dbPath, clock: new ManualClock(0) });
    await store.append(
      'default',
      ['YT0000000000001', 'YT0000000000002', 'YT0000000000003'].map((waybill, i) =>
        event({ eventId: `d${i}`, waybill }),
      ),
    );
    await store.append('YTO', [event({ eventId: 'y1', waybill: 'YT0000000000009' })]);
    await store.close();
    env({
      WXT_AGREE_YTO: 'yto-token-1',
      WXT_AGREE_JT: 'jt-token-1',
      WXT_AGREE_REDIS: 'redis://127.0.0.1:1',
      WXT_AGREE_GUARD: 'g'.repeat(20),
    });
    const r = await cli('config', 'check', configPath);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toBe(
      'warning: the store holds waybills for carriers no configured carrier serves: "default" (3 waybills); ' +
        'their queries get 40401. To serve them, give a configured carrier that id (e.g. "id": "default"), ' +
        'as the data is stored by carrier id\n',
    );
  });
});

describe('messages suggest only what works', () => {
  it('keys on a missing database points at init, not at a --create it does not take', async () => {
    env();
    const missing = join(dir, 'nowhere.db');
    const r = await cli('keys', 'create', '--name', 'k1', '--db', missing);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`create it with "wxtrack init --db ${missing}"`);
    expect(r.err).not.toContain('--create');
    expect(existsSync(missing)).toBe(false);
  });

  it('import --help says --db takes a postgres:// URL too', async () => {
    expect((await cli('import', '--help')).out).toContain(
      '--db PATH|URL        SQLite file or postgres:// URL',
    );
  });

  it('--cache-mb, which did nothing, is gone: refused as an unknown option', async () => {
    env({ WXTRACK_TOKEN: 'env-token-1' });
    const r = await cli('serve', '--cache-mb', '64');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^wxtrack serve: unknown option --cache-mb/);
  });

  it('init writes a starter whose steps the README follows: the token from COURIER_TOKEN', () => {
    const starter = JSON.parse(readFileSync(join(dir, 'starter.json'), 'utf8')) as {
      carriers: { tokens: unknown[] }[];
    };
    expect(starter.carriers[0]!.tokens).toEqual([{ env: 'COURIER_TOKEN' }]);
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain("export COURIER_TOKEN='the token registered with WeChat'");
    expect(readme).toContain("export COURIER_TOKEN='在微信登记的 token'");
  });
});
