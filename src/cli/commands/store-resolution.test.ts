/**
 * Every command that opens the database finds the same one: `--db`, else WXTRACK_DB, else the
 * configuration file's `server.db`, else the default (config/store-settings.ts, loadStoreConfig). Each command is
 * run for real against a file whose `server.db` names a database, and the test looks for its
 * work there.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../backends/open-backends.js';
import { loadGatewayConfig } from '../../config/gateway-config.js';
import { cli } from '../../testing/cli-run.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-resolve-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const db = join(dir, 'from-file.db');
const config = join(dir, 'wxtrack.config.json');
writeFileSync(
  config,
  JSON.stringify({
    server: { db },
    carriers: [{ id: 'YTO', name: '圆通速递', tokens: ['yto-token'], waybillPattern: 'YT\\d{13}' }],
  }),
);

describe("every command opens the configuration file's server.db", () => {
  it('import writes there', async () => {
    const events = join(dir, 'events.ndjson');
    writeFileSync(
      events,
      JSON.stringify({
        waybill: 'YT1000000000001',
        event_id: 'e1',
        time: '2026-11-30T10:00:00+08:00',
        status: 1,
        description: '已揽收',
      }) + '\n',
    );
    const r = await cli('import', events, '--config', config, '--quiet', '--create');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(existsSync(db)).toBe(true);
  });

  it('keys creates its key there', async () => {
    const r = await cli('keys', 'create', '--name', 'sorter', '--carrier', 'YTO', '--config', config);
    expect(r.code).toBe(0);
    const store = await openStore({ kind: 'sqlite', path: db });
    try {
      expect((await store.listApiKeys()).map((k) => k.name)).toEqual(['sorter']);
    } finally {
      await store.close();
    }
  });

  it('pattern lint reads its waybills from there', async () => {
    const r = await cli('pattern', 'lint', '--config', config);
    expect(r.err).not.toContain('no database');
    expect(r.out).toContain('1 of 1 match');
  });

  it('purge erases there', async () => {
    const r = await cli('purge', '--older-than', '1h', '--config', config, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ waybills: 1, events: 1 });
  });

  it('serve resolves the same database', () => {
    const r = loadGatewayConfig({ config }, {});
    expect(r.ok && r.config.store).toEqual({ kind: 'sqlite', path: db });
  });

  it('--db wins over the file for every command', async () => {
    const other = join(dir, 'flag.db');
    await (await openStore({ kind: 'sqlite', path: other }, { create: true })).close();
    const r = await cli('keys', 'list', '--config', config, '--db', other, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual([]);
  });
});
