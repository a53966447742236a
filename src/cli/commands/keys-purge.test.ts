import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { authenticate, hashApiKey } from '../../api/api-keys.js';
import { systemClock } from '../../clock/clock.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { cli } from '../../testing/cli-run.js';
import { replyOf } from '../../testing/render-reply.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open = (db: string, create = false) => new SqliteStore({ path: db, create, clock: systemClock });

describe('wxtrack keys', () => {
  const db = join(dir, 'keys.db');

  it('creates a key shown once, stores only its hash, lists and revokes it', async () => {
    expect((await cli('init', '--db', db, '--config', join(dir, 'keys.config.json'))).code).toBe(0);
    const created = await cli('keys', 'create', '--name', 'sorter-1', '--carrier', 'yto', '--db', db);
    expect(created.code).toBe(0);
    const key = created.out.trim();
    expect(key).toMatch(/^wxt_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created.err).toContain('not shown again');

    const raw = new Database(db, { readonly: true });
    const dump = JSON.stringify(raw.prepare('SELECT * FROM api_keys').all());
    raw.close();
    expect(dump).not.toContain(key.split('_')[2]);
    expect(dump).toContain(hashApiKey(key));

    let store = open(db);
    expect(await authenticate(store, `Bearer ${key}`)).toMatchObject({ name: 'sorter-1', carrier: 'yto' });
    await store.close();

    expect((await cli('keys', 'create', '--name', 'sorter-1', '--db', db)).code).toBe(1);
    const listed = await cli('keys', 'list', '--json', '--db', db);
    expect(JSON.parse(listed.out)).toEqual([
      expect.objectContaining({ name: 'sorter-1', carrier: 'yto', revoked_at: null }),
    ]);
    expect(listed.out).not.toContain(key);

    expect(await cli('keys', 'revoke', 'sorter-1', '--db', db)).toMatchObject({ code: 0 });
    store = open(db);
    expect(await authenticate(store, `Bearer ${key}`)).toBeUndefined();
    await store.close();
    expect((await cli('keys', 'revoke', 'sorter-1', '--db', db)).code).toBe(1);
    expect((await cli('keys', 'list', '--db', db)).out).toContain('revoked');
  });

  it('refuses a missing or bad name and an unknown subcommand', async () => {
    expect((await cli('keys', 'create', '--db', db)).code).toBe(2);
    expect((await cli('keys', 'create', '--name', 'bad name', '--db', db)).code).toBe(2);
    expect((await cli('keys', 'rotate', '--db', db)).code).toBe(2);
  });
});

describe('wxtrack purge', () => {
  it('erases waybills whose last event is older than the cutoff', async () => {
    const db = join(dir, 'purge.db');
    const day = 86_400_000;
    const store = open(db, true);
    const ev = (id: string, waybill: string, ageDays: number) => ({
      waybill,
      eventId: id,
      time: Date.now() - ageDays * day,
      status: 2 as const,
      label: '运输中',
      description: 'd',
      location: undefined,
      eta: undefined,
      cells: undefined,
    });
    await store.append('default', [ev('a', 'OLD', 200), ev('b', 'OLD', 181), ev('c', 'NEW', 10)]);
    await store.close();
    const r = await cli('purge', '--older-than', '180d', '--db', db, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ waybills: 1, events: 2 });
    const check = open(db);
    expect(await replyOf(check, 'default', 'OLD')).toBeUndefined();
    expect(await replyOf(check, 'default', 'NEW')).toBeDefined();
    await check.close();
  });

  it('requires a well-formed age and an existing database', async () => {
    expect((await cli('purge', '--db', join(dir, 'purge.db'))).code).toBe(2);
    expect((await cli('purge', '--older-than', '6 months', '--db', join(dir, 'purge.db'))).code).toBe(2);
    expect((await cli('purge', '--older-than', '1d', '--db', join(dir, 'nope.db'))).code).toBe(2);
  });
});

describe('wxtrack import options', () => {
  it('imports CSV by extension with --map and a custom code mapping, and prints a --json summary', async () => {
    const csv = join(dir, 'export.csv');
    writeFileSync(
      csv,
      '\uFEFF单号,流水号,时间,操作,说明\nYT1234567890123,s1,2026-07-04 20:47:03,SCAN_IN,到达【贵阳】\nYT1234567890123,s2,2026-07-04 21:00:00,派件,派送中\n',
    );
    const codes = join(dir, 'codes.json');
    writeFileSync(codes, JSON.stringify({ codes: { SCAN_IN: { status: 2, label: '到件' } } }));
    const db = join(dir, 'import.db');
    const r = await cli(
      'import',
      csv,
      '--db',
      db,
      '--create',
      '--json',
      '--quiet',
      '--event-codes',
      codes,
      '--map',
      'waybill=单号,event_id=流水号',
      '--map',
      'time=时间',
      '--map',
      'code=操作,description=说明',
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ format: 'csv', read: 2, inserted: 2, rejected: 0 });
    const store = open(db);
    const rec = await store.readWaybill('default', 'YT1234567890123');
    expect(rec!.events.map((e) => [e.status, e.label])).toEqual([
      [2, '到件'],
      [3, '派送中'],
    ]);
    await store.close();
  });

  it('refuses an unknown format, encoding or extension', async () => {
    const db = join(dir, 'x.db');
    expect((await cli('import', 'a.txt', '--db', db)).err).toContain('--format');
    expect((await cli('import', 'a.csv', '--format', 'xml', '--db', db)).code).toBe(2);
    expect((await cli('import', 'a.csv', '--encoding', 'klingon', '--db', db)).err).toContain(
      'unknown encoding',
    );
    expect((await cli('import', join(dir, 'missing.csv'), '--db', db)).err).toContain('cannot read');
  });
});
