import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../clock/clock.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { main } from '../main.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-import-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture() {
  let out = '';
  let err = '';
  return {
    io: { out: (t: string) => void (out += t), err: (t: string) => void (err += t) },
    out: () => out,
    err: () => err,
  };
}

const line = (id: string, over: Record<string, unknown> = {}) =>
  JSON.stringify({
    waybill: 'YT1234567890123',
    event_id: id,
    time: '2026-07-04 20:47:03',
    status: 2,
    description: '快件离开【河北永清县】已发往【贵阳】',
    ...over,
  });

describe('wxtrack import', () => {
  it('loads good lines, reports each bad one by number and reason, and exits 1', async () => {
    const file = join(dir, 'mixed.ndjson');
    const db = join(dir, 'mixed.db');
    writeFileSync(
      file,
      [
        line('e1'),
        '{not json',
        line('e2', { status: 9 }),
        '',
        line('e3', { time: '2026-07-04T21:00:00+08:00' }),
        line('e1'),
      ].join('\n') + '\n',
    );
    const c = capture();
    expect(await main(['import', file, '--db', db, '--create', '--batch-size', '2'], c.io)).toBe(1);
    expect(c.out()).toBe('read 5, inserted 2, duplicates 1, rejected 2\n');
    expect(c.err()).toBe(
      'line 2: not valid JSON\nline 3: status: 9 is not an order status; use an integer from 0 to 6 (0 待揽件, 1 已揽件, 2 运输中, 3 派送中, 4 已签收, 5 签收异常, 6 代签收)\n',
    );

    const store = new SqliteStore({
      path: db,
      clock: systemClock,
    });
    const rec = await store.readWaybill('default', 'YT1234567890123');
    await store.close();
    // Times without an offset are read in Asia/Shanghai.
    expect(rec!.events.map((e) => [e.eventId, new Date(e.time).toISOString()])).toEqual([
      ['e1', '2026-07-04T12:47:03.000Z'],
      ['e3', '2026-07-04T13:00:00.000Z'],
    ]);
  });

  it('is idempotent: a second run inserts nothing and exits 0', async () => {
    const file = join(dir, 'clean.ndjson');
    const db = join(dir, 'clean.db');
    writeFileSync(file, [line('a'), line('b'), line('c')].join('\n'));
    const first = capture();
    expect(await main(['import', file, '--db', db, '--create'], first.io)).toBe(0);
    expect(first.out()).toBe('read 3, inserted 3, duplicates 0, rejected 0\n');
    const second = capture();
    expect(await main(['import', file, '--db', db], second.io)).toBe(0);
    expect(second.out()).toBe('read 3, inserted 0, duplicates 3, rejected 0\n');
  });

  it('says so when the file cannot be read', async () => {
    const c = capture();
    expect(await main(['import', join(dir, 'missing.ndjson'), '--db', join(dir, 'x.db')], c.io)).toBe(2);
    expect(c.err()).toMatch(/^wxtrack import: cannot read .*missing\.ndjson/);
  });

  it('requires exactly one file', async () => {
    const c = capture();
    expect(await main(['import'], c.io)).toBe(2);
    expect(c.err()).toContain('expected one FILE');
  });
});

describe('wxtrack (dispatch)', () => {
  it('refuses an unknown command and an unknown flag', async () => {
    const a = capture();
    expect(await main(['frobnicate'], a.io)).toBe(2);
    expect(a.err()).toContain('unknown command "frobnicate"');
    const b = capture();
    expect(await main(['sign', '--nope'], b.io)).toBe(2);
    expect(b.err()).toContain('unknown option --nope');
  });

  it('serve refuses to start without a token and exits non-zero', async () => {
    const c = capture();
    expect(await main(['serve', '--db', ':memory:'], c.io)).toBe(2);
    expect(c.err()).toMatch(/refusing to start:\n {2}- token: required/);
  });
});

describe('wxtrack import with per-carrier scan codes', () => {
  it("maps the picked carrier's own codes, which win over --event-codes", async () => {
    const config = join(dir, 'codes.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        server: { db: join(dir, 'codes.db') },
        carriers: [
          {
            id: 'YTO',
            name: '圆通速递',
            tokens: [{ env: 'NOT_NEEDED_BY_IMPORT' }],
            waybillPattern: 'YT\\d{13}',
            eventCodes: { codes: { SCAN_IN: { status: 2, label: '到件扫描' } } },
          },
          { id: 'JT', name: '极兔速递', tokens: [{ env: 'NOR_THIS' }], waybillPattern: 'JT\\d{13}' },
        ],
      }),
    );
    const globalCodes = join(dir, 'global-codes.json');
    writeFileSync(globalCodes, JSON.stringify({ codes: { SCAN_IN: { status: 3, label: '全局' } } }));
    const file = join(dir, 'codes.ndjson');
    writeFileSync(file, line('c1', { status: undefined, code: 'SCAN_IN' }) + '\n');
    const yto = capture();
    const args = ['import', file, '--config', config, '--event-codes', globalCodes, '--create'];
    expect(await main([...args, '--carrier', 'YTO'], yto.io), yto.err()).toBe(0);
    const store = new SqliteStore({ path: join(dir, 'codes.db'), clock: systemClock });
    const rec = await store.readWaybill('YTO', 'YT1234567890123');
    await store.close();
    expect(rec!.events[0]).toMatchObject({ status: 2, label: '到件扫描' });
    // JT has no codes of its own: --event-codes applies to it.
    writeFileSync(
      file,
      line('c2', { waybill: 'JT1234567890123', status: undefined, code: 'SCAN_IN' }) + '\n',
    );
    const jt = capture();
    expect(await main([...args, '--carrier', 'JT'], jt.io), jt.err()).toBe(0);
    const again = new SqliteStore({ path: join(dir, 'codes.db'), clock: systemClock });
    const jtRec = await again.readWaybill('JT', 'JT1234567890123');
    await again.close();
    expect(jtRec!.events[0]).toMatchObject({ status: 3, label: '全局' });
  });
});

describe('wxtrack import: a cell status that repeats its link', () => {
  it('stores the record and warns about it by line, in the summary too', async () => {
    const config = join(dir, 'cells.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        server: { db: join(dir, 'cells.db') },
        carriers: [
          {
            id: 'YTO',
            name: '圆通速递',
            tokens: [{ env: 'NOT_NEEDED_BY_IMPORT' }],
            waybillPattern: 'YT\\d{13}',
            cells: [{ key: 'wxpay', name: '支付运单', link: 'pages/pay/index' }],
          },
        ],
      }),
    );
    const file = join(dir, 'cells.ndjson');
    writeFileSync(
      file,
      [
        line('w1', { cells: [{ key: 'wxpay', value: '去支付', status: 'pages/pay/index' }] }),
        line('w2', { cells: [{ key: 'wxpay', value: '去支付', status: 'state=unpaid' }] }),
      ].join('\n') + '\n',
    );
    const c = capture();
    expect(await main(['import', file, '--config', config, '--create', '--quiet'], c.io), c.err()).toBe(0);
    expect(c.err()).toBe(
      'line 1: warning: cells[0].status repeats the link registered for cell "wxpay" (pages/pay/index); status is a URL parameter appended to that link, e.g. state=unpaid\n',
    );
    expect(c.out()).toBe('read 2, inserted 2, duplicates 0, rejected 0, warnings 1\n');
  });
});
