/**
 * The carrier configuration commands, run through the real CLI entry point with captured output:
 * config check, cells sheet, pattern lint, and import against registered cells.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../clock/clock.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { event } from '../../store/store.case.test.js';
import { main } from '../main.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-cli-'));
const configPath = join(dir, 'wxtrack.config.json');
const dbPath = join(dir, 'wxtrack.db');

const CONFIG = {
  $schema: './schema/wxtrack.config.schema.json',
  server: { db: dbPath },
  carriers: [
    {
      id: 'YTO',
      name: '圆通速递',
      tokens: [{ env: 'WXT_TEST_YTO' }, { env: 'WXT_TEST_YTO_OLD' }],
      waybillPattern: 'YT\\d{13}',
      phone: '95554',
      cells: [
        { key: 'wxpay', name: '支付运单', link: 'pages/pay/index' },
        { key: 'service', name: '联系客服', link: 'pages/service/index' },
      ],
    },
    {
      id: 'ACME',
      name: '某某快递',
      tokens: [{ env: 'WXT_TEST_ACME' }],
      waybillPattern: '\\d{12}',
      environment: 'test',
      testWaybills: ['000000000001'],
    },
  ],
};

async function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

beforeAll(async () => {
  vi.stubEnv('WXT_TEST_YTO', 'yto-token-1');
  vi.stubEnv('WXT_TEST_YTO_OLD', 'yto-token-0');
  vi.stubEnv('WXT_TEST_ACME', 'acme-token');
  vi.stubEnv('WXTRACK_CONFIG', '');
  vi.stubEnv('WXTRACK_DB', '');
  writeFileSync(configPath, JSON.stringify(CONFIG));
  const store = new SqliteStore({
    path: dbPath,
    create: true,
    clock: new ManualClock(0),
  });
  await store.append(
    'YTO',
    ['YT0000000000001', 'YT0000000000002', 'YT0000000000003', 'yt0000000000004'].map((waybill, i) =>
      event({ eventId: `e${i}`, waybill }),
    ),
  );
  await store.close();
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

describe('wxtrack config check', () => {
  it('prints a summary per carrier, naming where secrets come from but never their values', async () => {
    const r = await run('config', 'check', configPath);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`${configPath}: OK, 2 carriers`);
    expect(r.out).toContain('YTO  圆通速递  [production]');
    expect(r.out).toContain('tokens        2: current env WXT_TEST_YTO; also verifying env WXT_TEST_YTO_OLD');
    expect(r.out).toContain('cells         wxpay (支付运单), service (联系客服)');
    expect(r.out).toContain('ACME  某某快递  [test]');
    expect(r.out).toContain('test waybills 000000000001');
    expect(r.out).not.toContain('yto-token-1');
  });

  it('lists every problem with its path, and exits 1', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        carriers: [
          { ...CONFIG.carriers[0], cells: [{ key: 'k'.repeat(23), name: 'n', link: 'l' }] },
          { id: 'X' },
        ],
      }),
    );
    const r = await run('config', 'check', bad);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${bad}: 4 problems`);
    expect(r.err).toContain('  - carriers[0].cells[0].key: 23 characters, at most 20\n');
    expect(r.err).toContain('  - carriers[1].name: required\n');
  });

  it('reports an unreadable file and a usage error', async () => {
    expect((await run('config', 'check', join(dir, 'none.json'))).err).toMatch(/cannot read .*none\.json/);
    expect((await run('config', 'lint')).code).toBe(2);
  });
});

describe('wxtrack cells sheet', () => {
  it('prints the Key / Name / Link table of the chosen carrier', async () => {
    const r = await run('cells', 'sheet', '--config', configPath, '--carrier', 'YTO');
    expect(r.code).toBe(0);
    expect(r.out).toContain('| Key     | Name     | Link                |\n');
    expect(r.out).toContain('| wxpay   | 支付运单 | pages/pay/index     |\n');
  });

  it('requires --carrier when several are configured, and names the choices', async () => {
    const r = await run('cells', 'sheet', '--config', configPath);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--carrier is required; one of YTO, ACME');
  });
});

describe('wxtrack pattern lint', () => {
  it('reports coverage from the stored waybills, and the change notice', async () => {
    const r = await run('pattern', 'lint', '--config', configPath, '--carrier', 'YTO');
    expect(r.code).toBe(1);
    expect(r.out).toContain('3 of 4 match (75.0%)');
    expect(r.out).toContain('not matching, e.g.: yt0000000000004');
    expect(r.out).toContain('【邮件标题】圆通速递 - 运单正则表达式更新');
    expect(r.out).toContain('Collisions with major couriers\n  none\n');
  });

  it('flags a broad pattern: collisions and breadth', async () => {
    const r = await run('pattern', 'lint', '--config', configPath, '--carrier', 'ACME');
    expect(r.out).toContain('breadth: accepts 100.0% of all 12-digit numbers');
    expect(r.out).toMatch(/collision: overlaps 中通 \(ZTO\) numbers, e\.g\. 731234567890/);
    expect(r.out).toContain('no stored waybills for this carrier');
  });

  it('lints a candidate pattern before it goes into the file, noting the old one', async () => {
    const r = await run(
      'pattern',
      'lint',
      '--config',
      configPath,
      '--carrier',
      'YTO',
      '--pattern',
      '(?:YT|yt)\\d{13}',
    );
    expect(r.out).toContain('4 of 4 match (100.0%)');
    expect(r.out).toContain('原正则表达式：YT\\d{13}');
    expect(r.out).toContain('新正则表达式：(?:YT|yt)\\d{13}');
  });

  it('refuses an unsafe candidate', async () => {
    const r = await run('pattern', 'lint', '--config', configPath, '--carrier', 'YTO', '--pattern', '(a+)+');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/REFUSED: can backtrack catastrophically/);
  });
});

describe('wxtrack import with registered cells', () => {
  it('rejects an event that names an unregistered cell key, naming the key', async () => {
    const lines = join(dir, 'events.ndjson');
    const base = { time: '2026-07-04T20:47:03+08:00', status: 2, description: 'd' };
    writeFileSync(
      lines,
      [
        { ...base, waybill: 'YT0000000000009', event_id: 'c1', cells: [{ key: 'wxpay', value: '去支付' }] },
        { ...base, waybill: 'YT0000000000009', event_id: 'c2', cells: [{ key: 'coupon', value: '领券' }] },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const r = await run('import', lines, '--config', configPath, '--carrier', 'YTO');
    expect(r.code).toBe(1);
    expect(r.out).toBe('read 2, inserted 1, duplicates 0, rejected 1\n');
    expect(r.err).toBe('line 2: cells[0].key: "coupon" is not registered as a cell key\n');
  });
});

describe('data WeChat would never be shown is refused', () => {
  it('import rejects a record whose waybill the carrier pattern does not match, with the reason', async () => {
    const lines = join(dir, 'pattern.ndjson');
    const base = { time: '2026-07-04T20:47:03+08:00', status: 2, description: 'd' };
    writeFileSync(
      lines,
      [
        { ...base, waybill: 'YT0000000000008', event_id: 'p1' },
        { ...base, waybill: 'ZZZ', event_id: 'p2' },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const r = await run('import', lines, '--config', configPath, '--carrier', 'YTO');
    expect(r.code).toBe(1);
    expect(r.out).toBe('read 2, inserted 1, duplicates 0, rejected 1\n');
    expect(r.err).toBe(
      "line 2: waybill: does not match the carrier's waybill pattern YT\\d{13}, so WeChat would never be shown it\n",
    );
  });

  it('import without a file applies --waybill-pattern as serve would', async () => {
    const lines = join(dir, 'flag-pattern.ndjson');
    const base = { time: '2026-07-04T20:47:03+08:00', status: 2, description: 'd' };
    writeFileSync(lines, JSON.stringify({ ...base, waybill: 'AB12', event_id: 'f1' }));
    const db = join(dir, 'flag-pattern.db');
    const r = await run('import', lines, '--db', db, '--create', '--waybill-pattern', 'YT\\d{13}');
    expect(r.err).toContain("line 1: waybill: does not match the carrier's waybill pattern YT\\d{13}");
  });

  it('keys create refuses a carrier the configuration does not serve, pointing at the right spelling', async () => {
    const r = await run('keys', 'create', '--name', 'k-yto', '--carrier', 'yto', '--config', configPath);
    expect(r.code).toBe(2);
    expect(r.err).toContain('carrier: "yto" is not configured (ids are case-sensitive: did you mean "YTO"?)');
    const ok = await run('keys', 'create', '--name', 'k-yto', '--carrier', 'YTO', '--config', configPath);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.err).toContain('for carrier "YTO"');
  });
});

describe('wxtrack sign with a configured carrier', () => {
  it("signs with the carrier's current token and sends its id as company_id", async () => {
    const r = await run(
      'sign',
      '--config',
      configPath,
      '--carrier',
      'ACME',
      '--orderid',
      '000000000001',
      '--url',
      'http://x/t',
    );
    expect(r.code).toBe(0);
    const url = new URL(r.out.trim());
    expect(url.searchParams.get('company_id')).toBe('ACME');
    const { computeSignature } = await import('../../protocol/signature.js');
    const p = url.searchParams;
    expect(p.get('signature')).toBe(computeSignature('acme-token', p.get('timestamp')!, p.get('nonce')!));
  });

  it('refuses a carrier the file does not have', async () => {
    const r = await run('sign', '--config', configPath, '--carrier', 'NOPE', '--orderid', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toContain(`carrier "NOPE" is not in ${configPath}; one of YTO, ACME`);
  });
});
