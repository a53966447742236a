/**
 * @module
 * Only an explicit step makes a database: `wxtrack init` (with its starter configuration) or
 * `--create`. Every other way of naming a missing file is refused with the path and the fix, and
 * leaves nothing behind.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../config/carrier-settings.js';
import { STARTER_TOKEN_ENV } from '../../config/starter-config.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { DatabaseMissingError } from '../../store/store-errors.js';
import { ManualClock } from '../../clock/clock.js';
import { cli } from '../../testing/cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('SqliteStore create option', () => {
  const clock = new ManualClock(0);

  it('refuses a missing file unless asked to create it, and creates nothing', () => {
    const path = join(dir, 'nodir', 'sub', 'x.db');
    expect(() => new SqliteStore({ path, clock })).toThrow(DatabaseMissingError);
    expect(() => new SqliteStore({ path, clock })).toThrow(
      `no database at ${resolve(path)}; create it with "wxtrack init --db ${path}", or pass --create`,
    );
    expect(existsSync(dirname(dirname(path)))).toBe(false);
  });

  it('creates the file and its folders when asked, and then opens it without asking', async () => {
    const path = join(dir, 'made', 'x.db');
    await new SqliteStore({ path, create: true, clock }).close();
    expect(existsSync(path)).toBe(true);
    await new SqliteStore({ path, clock }).close();
  });
});

describe('wxtrack init', () => {
  it('creates the database and a starter configuration that passes config check', async () => {
    const db = join(dir, 'data', 'wxtrack.db');
    const config = join(dir, 'wxtrack.config.json');
    const r = await cli('init', '--db', db, '--config', config, '--carrier', 'YTO');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(`created database ${db}\n`);
    expect(r.out).toContain(`wrote starter configuration ${config}\n`);
    expect(existsSync(db)).toBe(true);

    const text = readFileSync(config, 'utf8');
    const raw = JSON.parse(text) as { $schema: string; $comment: string; server: { db: string } };
    expect(raw.$comment).toContain('wxtrack config check');
    expect(raw.server.db).toBe(db);
    // The $schema path resolves from the file's folder to the published schema.
    expect(existsSync(resolve(dir, raw.$schema))).toBe(true);

    const loaded = loadConfigFile(config, { [STARTER_TOKEN_ENV]: 'starter-token-1' });
    expect(loaded.ok ? loaded.config.carriers.map((c) => c.id) : loaded.errors).toEqual(['YTO']);
    // Its cell says what an event's status is: a URL parameter appended to the link, not a path.
    const cell = (JSON.parse(text) as { carriers: { cells: { $comment: string; link: string }[] }[] })
      .carriers[0]!.cells[0]!;
    expect(cell.link).toBe('pages/pay/index');
    expect(cell.$comment).toContain('"status" is a URL parameter that wxtrack appends to this link');
    const missingToken = loadConfigFile(config, {});
    expect(missingToken.ok ? [] : missingToken.errors).toEqual([
      `carriers[0].tokens[0]: environment variable ${STARTER_TOKEN_ENV} is not set`,
    ]);
  });

  it('leaves an existing database and configuration as they are', async () => {
    const db = join(dir, 'again.db');
    const config = join(dir, 'again.json');
    writeFileSync(config, '{"mine": true}\n');
    expect((await cli('init', '--db', db, '--config', config)).code).toBe(0);
    const second = await cli('init', '--db', db, '--config', config);
    expect(second.code).toBe(0);
    expect(second.out).toContain(`database ${db} exists; left as it is`);
    expect(second.out).toContain(`configuration ${config} exists; left as it is`);
    expect(readFileSync(config, 'utf8')).toBe('{"mine": true}\n');
  });

  it('refuses :memory: and a bad carrier id', async () => {
    expect((await cli('init', '--db', ':memory:')).code).toBe(2);
    const bad = await cli('init', '--db', join(dir, 'bad.db'), '--carrier', 'no spaces');
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--carrier "no spaces" must be 1 to 32 of A-Z a-z 0-9 _ -');
    expect(existsSync(join(dir, 'bad.db'))).toBe(false);
  });
});

describe('commands refuse a missing database', () => {
  it.each([
    ['keys', 'list'],
    ['keys', 'create', '--name', 'k1'],
    ['serve', '--token', 'tok123456', '--port', '0'],
  ])('%s %s: names the path and the fix, creates nothing', async (...argv) => {
    const db = join(dir, 'typo', 'sub', 'x.db');
    const r = await cli(...argv, '--db', db);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain(`no database at ${resolve(db)}; create it with "wxtrack init --db ${db}"`);
    expect(existsSync(join(dir, 'typo'))).toBe(false);
  });

  it('import and purge too; import --create makes it', async () => {
    const file = join(dir, 'one.ndjson');
    writeFileSync(
      file,
      JSON.stringify({
        waybill: 'YT1234567890123',
        event_id: 'a',
        time: '2026-07-04T20:47:03+08:00',
        status: 1,
        description: 'd',
      }),
    );
    const db = join(dir, 'fresh.db');
    const refused = await cli('import', file, '--db', db, '--quiet');
    expect(refused.err).toContain(`no database at ${resolve(db)}`);
    expect(existsSync(db)).toBe(false);
    expect((await cli('purge', '--older-than', '1d', '--db', db)).err).toContain(
      `no database at ${resolve(db)}`,
    );
    expect((await cli('import', file, '--db', db, '--quiet', '--create')).code).toBe(0);
    expect(existsSync(db)).toBe(true);
  });
});
