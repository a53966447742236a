/**
 * The kill-and-resume proof: the real CLI (dist/, built by `npm test`) is SIGKILLed in the middle
 * of a file, then re-run on it; the second run stores exactly what the first did not.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

const count = (db: string, sql: string): number => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).pluck().get() as number;
  } finally {
    d.close();
  }
};

describe.each(['ndjson', 'csv'] as const)('import killed mid-file, then re-run (%s)', (format) => {
  const file = join(dir, `events.${format}`);
  const db = join(dir, `${format}.db`);
  beforeAll(() => writeFile(file, format), 60_000);

  it('stores only what is missing, with no duplicate rows', { timeout: 120_000 }, async () => {
    expect(existsSync(BIN)).toBe(true);
    const common = ['import', file, '--db', db, '--create', '--batch-size', '2000'];
    const killed = await run([...common, '--progress-interval', '0'], true);
    expect(killed.signal).toBe('SIGKILL');
    const partial = count(db, 'SELECT COUNT(*) FROM events');
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
    expect(count(db, 'SELECT COUNT(*) FROM events')).toBe(TOTAL);
    expect(count(db, 'SELECT COUNT(DISTINCT event_id) FROM events')).toBe(TOTAL);
    expect(count(db, 'SELECT COUNT(*) FROM waybills')).toBe(TOTAL / PER_WAYBILL);
    // A waybill cut in two by the kill renders all of its events after the re-run.
    const d = new Database(db, { readonly: true });
    const replies = d.prepare('SELECT reply FROM waybills').pluck().all() as string[];
    d.close();
    expect(replies.every((r) => (JSON.parse(r) as { traces: unknown[] }).traces.length === PER_WAYBILL)).toBe(
      true,
    );
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
    expect(count(db, 'SELECT COUNT(*) FROM events')).toBe(TOTAL);
  });
});
