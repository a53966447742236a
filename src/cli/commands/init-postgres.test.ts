/**
 * `wxtrack init --db postgres://…` creates wxtrack's tables in a database its administrator made
 * (it once refused the URL), and keys and import then work on it without --create. Runs when
 * PostgreSQL is there (services.ts); a database of its own, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { cli } from '../../testing/cli-run.js';
import { needs, TEST_POSTGRES_URL, testPostgresUrl } from '../../testing/services.js';

const gate = await needs('postgres');
const database = `firstday_init_${randomBytes(4).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'wxtrack-init-pg-'));

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  if (gate.available) await admin(`CREATE DATABASE ${database}`);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (gate.available) await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

gate.it(
  'init --db postgres:// creates the tables; keys and import then need no --create',
  async () => {
    const url = testPostgresUrl({ database });
    const config = join(dir, 'wxtrack.config.json');
    const made = await cli('init', '--db', url, '--config', config);
    expect(made.code, made.err).toBe(0);
    expect(made.out).toContain("wxtrack's tables are in place");
    const again = await cli('init', '--db', url, '--config', config);
    expect(again.code, again.err).toBe(0);
    expect((await cli('keys', 'create', '--name', 'k1', '--db', url)).code).toBe(0);
    const file = join(dir, 'one.ndjson');
    writeFileSync(
      file,
      JSON.stringify({
        waybill: 'YT1234567890123',
        time: '2026-07-04 20:47:03',
        status: 2,
        description: '运输中',
      }) + '\n',
    );
    const imported = await cli('import', file, '--db', url, '--quiet');
    expect(imported.code, imported.err).toBe(0);
    expect(imported.out).toBe('read 1, inserted 1, duplicates 0, rejected 0\n');
  },
  60_000,
);
