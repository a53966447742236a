/**
 * @module
 * The command line's conventions, through the real entry point: `--version`, "did you mean" for
 * a mistyped command, subcommand or flag, and messages that name the actual problem and the
 * accepted values rather than a generic "is required".
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { systemClock } from '../clock/clock.js';
import { cli } from '../testing/cli-run.js';
import { closest, editDistance } from './suggest.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-conv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--version', () => {
  it("prints the package's version and exits 0", async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    expect(await cli('--version')).toEqual({ code: 0, out: `wxtrack ${pkg.version}\n`, err: '' });
  });
});

describe('did you mean', () => {
  it('measures typos, a swapped pair counting once', () => {
    expect(editDistance('serve', 'serve')).toBe(0);
    expect(editDistance('sevre', 'serve')).toBe(1);
    expect(closest('imprt', ['import', 'init'])).toBe('import');
    expect(closest('zzzzzz', ['import', 'init'])).toBeUndefined();
  });

  it('suggests the closest command, subcommand and flag', async () => {
    const command = await cli('serv');
    expect(command.code).toBe(2);
    expect(command.err).toMatch(/^wxtrack: unknown command "serv" \(did you mean serve\?\)/);
    expect((await cli('keys', 'crate', '--db', join(dir, 'k.db'))).err).toContain(
      'wxtrack keys: unknown subcommand "crate": create, list or revoke (did you mean create?)',
    );
    const flag = await cli('serve', '--prot', '80');
    expect(flag.code).toBe(2);
    expect(flag.err).toMatch(/^wxtrack serve: unknown option --prot \(did you mean --port\?\)/);
    expect((await cli('serve', '--zebra')).err).toMatch(
      /^wxtrack serve: unknown option --zebra; the options/,
    );
  });
});

describe('messages name the actual problem', () => {
  it('purge: a malformed age is not a missing one, and months get a translation', async () => {
    const missing = await cli('purge');
    expect(missing.err).toBe(
      'wxtrack purge: --older-than is required: a whole number of hours, days or weeks, e.g. 36h, 180d, 26w\n',
    );
    const months = await cli('purge', '--older-than', '3m');
    expect(months.code).toBe(2);
    expect(months.err).toBe(
      'wxtrack purge: --older-than "3m" is not an age: a whole number of hours, days or weeks, e.g. 36h, 180d, 26w (months and years are not accepted, being of unequal length: write 90d)\n',
    );
  });

  it('keys: a bad name is not a missing one', async () => {
    const db = join(dir, 'keys.db');
    await new SqliteStore({
      path: db,
      create: true,
      clock: systemClock,
    }).close();
    const bad = await cli('keys', 'create', '--name', 'bad name!', '--db', db);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(
      /^wxtrack keys: --name "bad name!" is not a key name: 1 to 64 of A-Z a-z 0-9 _ \. -/,
    );
    expect((await cli('keys', 'create', '--db', db)).err).toMatch(
      /^wxtrack keys: --name is required: 1 to 64/,
    );
  });

  it('sign: with a file of several carriers, it is --carrier that is missing', async () => {
    const config = join(dir, 'two.json');
    writeFileSync(
      config,
      JSON.stringify({
        carriers: [
          { id: 'YTO', name: 'y', tokens: ['yto-token-1'], waybillPattern: 'YT\\d{13}' },
          { id: 'JT', name: 'j', tokens: ['jt-token-1'], waybillPattern: 'JT\\d{13}' },
        ],
      }),
    );
    expect(await cli('sign', '--config', config, '--orderid', 'YT1')).toMatchObject({
      code: 2,
      err: `wxtrack sign: --carrier is required: ${config} has several carriers (YTO, JT)\n`,
    });
    expect((await cli('sign', '--carrier', 'YTO', '--orderid', 'YT1')).err).toContain('needs --config FILE');
    expect((await cli('sign', '--token', 'tok123')).err).toBe('wxtrack sign: --orderid is required\n');
  });
});

describe('sign follows the route', () => {
  it('builds the URL from --path, and from the file when it moves the route', async () => {
    const flag = await cli(
      'sign',
      '--token',
      'tok123',
      '--orderid',
      'YT1',
      '--path',
      '/wx/q',
      '--port',
      '9000',
    );
    expect(new URL(flag.out.trim()).origin + new URL(flag.out.trim()).pathname).toBe(
      'http://127.0.0.1:9000/wx/q',
    );
    const config = join(dir, 'one.json');
    writeFileSync(
      config,
      JSON.stringify({
        server: { host: '0.0.0.0', port: 8080, trackPath: '/courier/track' },
        carriers: [{ id: 'YTO', name: 'y', tokens: ['yto-token-1'], waybillPattern: 'YT\\d{13}' }],
      }),
    );
    const file = await cli('sign', '--config', config, '--orderid', 'YT1234567890123');
    expect(file.code, file.err).toBe(0);
    const url = new URL(file.out.trim());
    expect(url.origin + url.pathname).toBe('http://127.0.0.1:8080/courier/track');
    expect(url.searchParams.get('company_id')).toBe('YTO');
  });
});

describe('purge --dry-run', () => {
  it('counts what would go and erases nothing', async () => {
    const db = join(dir, 'purge.db');
    const store = new SqliteStore({
      path: db,
      create: true,
      clock: systemClock,
    });
    const old = Date.now() - 200 * 86_400_000;
    await store.append('default', [
      {
        waybill: 'OLD1',
        eventId: 'a',
        time: old,
        status: 2,
        label: 'l',
        description: 'd',
        location: undefined,
        eta: undefined,
        cells: undefined,
      },
    ]);
    await store.close();
    const dry = await cli('purge', '--older-than', '180d', '--dry-run', '--db', db, '--json');
    expect(dry.code).toBe(0);
    expect(JSON.parse(dry.out)).toMatchObject({ dry_run: true, waybills: 1, events: 1 });
    const real = await cli('purge', '--older-than', '180d', '--db', db, '--json');
    expect(JSON.parse(real.out)).toMatchObject({ dry_run: false, waybills: 1, events: 1 });
  });
});

describe('--carrier-name', () => {
  it('names the courier in the change notice and the cells sheet of a carrier without a file', async () => {
    const lint = await cli(
      'pattern',
      'lint',
      '--carrier-name',
      '示例快递',
      '--waybill-pattern',
      'SL\\d{12}',
      '--db',
      join(dir, 'none.db'),
    );
    expect(lint.out).toContain('Pattern lint: 示例快递 (default)');
    expect(lint.out).toMatch(/运单正则表达式更新[\s\S]*示例快递/);
    const sheet = await cli('cells', 'sheet', '--carrier-name', '示例快递');
    expect(sheet.code, sheet.err).toBe(0);
    expect(sheet.out).toContain('示例快递');
  });

  it('is refused beside a configuration file, whose carriers have their own name', async () => {
    const config = join(dir, 'named.json');
    writeFileSync(
      config,
      JSON.stringify({
        carriers: [{ id: 'YTO', name: '圆通', tokens: ['yto-token-1'], waybillPattern: 'YT\\d{13}' }],
      }),
    );
    const r = await cli('cells', 'sheet', '--config', config, '--carrier-name', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--carrier-name is for a carrier without a file');
  });
});
