/**
 * The kill-and-resume proof: the real CLI (dist/, built by `npm test`) is SIGKILLed in the middle
 * of a file, then re-run on it; the second run stores exactly what the first did not.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../clock/clock.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';

const BIN = fileURLToPath(new URL('../../bin/wxtrack.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'wxtrack-resume-'));
const TOTAL = 200_000;
const PER_WAYBILL = 8;

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeFile(path: string, format: 'ndjson' | 'csv'): Promise<void> {
  const out = createWriteStream(path);
  let buf = format === 'csv' ? 'waybill,event_id,time,code,description,location\n' : '';
  for (let i = 0; i < TOTAL; i++) {
    const w = `RS${String(Math.floor(i / PER_WAYBILL)).padStart(10, '0')}`;
    const time = new Date(Date.UTC(2026, 6, 1) + i * 1000).toISOString();
    const code = i % PER_WAYBILL === 0 ? '揽收' : '到件';
    buf +=
      format === 'csv'
        ? `${w},${w}-${i},${time},${code},"快件到达, 第 ${i} 站",贵阳\n`
        : JSON.stringify({
            waybill: w,
            event_id: `${w}-${i}`,
            time,
            code,
            description: `快件到达 ${i}`,
            location: '贵阳',
          }) + '\n';
    if (buf.length > 1 << 20) {
      if (!out.write(buf)) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = '';
    }
  }
  await new Promise<void>((resolve, reject) => out.end(buf, () => resolve()).once('error', reject));
}

function run(args: string[], killOnProgress: boolean) {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>(
    (resolve) => {
      const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        // A progress line is printed after a batch commits: kill the import right there.
        if (killOnProgress && stderr.includes('import:')) child.kill('SIGKILL');
      });
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
}

/**
 * What the database holds, read through the store (not its tables, so the test outlives a change
 * of layout): waybills, events, distinct event ids, and how many waybills hold all their scans.
 */
async function stored(db: string) {
  const store = new SqliteStore({ path: db, clock: systemClock, readonly: true });
  try {
    const waybills = (await store.countByCarrier()).get('default') ?? 0;
    const ids = new Set<string>();
    let events = 0;
    let whole = 0;
    for (let i = 0; i < TOTAL / PER_WAYBILL; i++) {
      const state = await store.readWaybill('default', `RS${String(i).padStart(10, '0')}`);
      const n = state?.events.length ?? 0;
      events += n;
      if (n === PER_WAYBILL) whole++;
      for (const e of state?.events ?? []) ids.add(e.eventId);
    }
    return { waybills, events, distinctIds: ids.size, whole };
  } finally {
    await store.close();
  }
}

describe.each(['ndjson', 'csv'] as const)('import killed mid-file, then re-run (%s)', (format) => {
  const file = join(dir, `events.${format}`);
  const db = join(dir, `${format}.db`);
  beforeAll(() => writeFile(file, format), 60_000);

  it('stores only what is missing, with no duplicate rows', { timeout: 120_000 }, async () => {
    expect(existsSync(BIN)).toBe(true);
    const common = ['import', file, '--db', db, '--create', '--batch-size', '2000'];
    const killed = await run([...common, '--progress-interval', '0'], true);
    expect(killed.signal).toBe('SIGKILL');
    const partial = (await stored(db)).events;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(TOTAL);
    expect(partial % 2000).toBe(0); // whole batches only: each one commits or not at all

    const again = await run([...common, '--json', '--quiet'], false);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      read: TOTAL,
      inserted: TOTAL - partial,
      duplicates: partial,
      rejected: 0,
    });
    // Every event once, and a waybill cut in two by the kill holds all of its scans after the re-run.
    expect(await stored(db)).toEqual({
      waybills: TOTAL / PER_WAYBILL,
      events: TOTAL,
      distinctIds: TOTAL,
      whole: TOTAL / PER_WAYBILL,
    });
  });
});

describe('two imports of one file at once', () => {
  const file = join(dir, 'concurrent.ndjson');
  beforeAll(() => writeFile(file, 'ndjson'), 60_000);

  it('leave exactly one row per event between them', { timeout: 120_000 }, async () => {
    const db = join(dir, 'concurrent.db');
    const args = ['import', file, '--db', db, '--create', '--json', '--quiet', '--batch-size', '5000'];
    const [a, b] = await Promise.all([run(args, false), run(args, false)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const sa = JSON.parse(a.stdout) as { inserted: number; duplicates: number };
    const sb = JSON.parse(b.stdout) as { inserted: number; duplicates: number };
    expect(sa.inserted + sb.inserted).toBe(TOTAL);
    expect(sa.duplicates + sb.duplicates).toBe(TOTAL);
    expect(await stored(db)).toMatchObject({ events: TOTAL, distinctIds: TOTAL });
  });
});
