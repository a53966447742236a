/**
 * End to end, the real `wxtrack serve --config` process on a store written before the file
 * existed (the README's flags route stores under carrier `default`): it names the stored carrier
 * the file does not serve, with its waybill count, and runs each carrier's own retention.
 * Runs the built CLI (`npm test` builds dist/ first).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../clock/clock.js';
import { event } from '../store/store.case.test.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { spawnServe } from '../testing/serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-first-day-'));
const DAY = 86_400_000;

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('wxtrack serve on a store from the flags route', () => {
  it('warns about the stored carrier it does not serve, and purges each carrier on its own retention', async () => {
    const db = join(dir, 'w.db');
    const store = new SqliteStore({ path: db, create: true, clock: systemClock });
    const now = Date.now();
    await store.append(
      'default',
      ['YT0000000000001', 'YT0000000000002'].map((waybill, i) =>
        event({ eventId: `d${i}`, waybill, time: now }),
      ),
    );
    await store.append('YTO', [
      event({ eventId: 'old', waybill: 'YT0000000000009', time: now - 40 * DAY }),
      event({ eventId: 'new', waybill: 'YT0000000000008', time: now - DAY }),
    ]);
    await store.close();
    const config = join(dir, 'wxtrack.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        server: { db, port: 0, host: '127.0.0.1', logLevel: 'info' },
        carriers: [
          {
            id: 'YTO',
            name: '圆通速递',
            tokens: ['yto-token-1'],
            waybillPattern: 'YT\\d{13}',
            retentionDays: 30,
          },
        ],
      }),
    );
    const serve = await spawnServe(['--config', config], {
      ...process.env,
      WXTRACK_CONFIG: '',
      WXTRACK_PORT: '',
      WXTRACK_DB: '',
      WXTRACK_RETENTION_DAYS: '',
    });
    child = serve.child;
    const dark = await serve.logged('stored carriers not served');
    expect(dark.unserved).toEqual([{ carrier: 'default', waybills: 2 }]);
    expect(dark.warning).toContain('"default" (2 waybills)');
    expect(dark.warning).toContain('give a configured carrier that id (e.g. "id": "default")');
    // YTO keeps 30 days of its own; nothing else has any retention, so `default` stays whole.
    const purge = await serve.logged('retention purge');
    expect(purge).toMatchObject({ carrier: 'YTO', waybills: 1, events: 1 });
    expect(serve.lines.filter((l) => l.msg === 'retention purge')).toHaveLength(1);
  }, 60_000);
});
