import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { replyViewContract } from '../reply-view.case.test.js';
import { NO_MARK } from '../../store/sql/change-feed.js';
import { LmdbReplyView, type ViewDamage } from './lmdb-view.js';

replyViewContract('lmdb', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxtrack-view-'));
  const path = join(dir, 'view.mdb');
  const view = new LmdbReplyView({ path });
  return Promise.resolve({
    view,
    reopen: () => new LmdbReplyView({ path }),
    dispose: async () => {
      await view.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describe('LmdbReplyView', () => {
  it('keeps its contents across a restart, and discards a file written under another boot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxtrack-view-'));
    const path = join(dir, 'view.mdb');
    try {
      const first = new LmdbReplyView({ path });
      const at = (seq: number) => ({ store: 'S', seq, tag: `t${seq}` });
      await first.reset(at(0));
      await first.fill(at(0), [{ carrier: 'yt', waybill: 'A', value: Buffer.from('a') }]);
      await first.advance(at(3), []);
      await first.close();

      const second = new LmdbReplyView({ path });
      expect(second.get('yt', 'A')?.toString()).toBe('a');
      expect(second.position()).toEqual(at(3));
      await second.close();

      if (!existsSync('/proc/sys/kernel/random/boot_id')) return;
      writeFileSync(path + '-boot', 'another-boot\n');
      const third = new LmdbReplyView({ path });
      expect(third.get('yt', 'A')).toBeUndefined();
      expect(third.position()).toEqual(NO_MARK);
      await third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const mark = (seq: number) => ({ store: 'S', seq, tag: `t${seq}` });

/** A view with `n` entries of about 600 bytes, closed. */
async function filledView(path: string, n = 3_000): Promise<void> {
  const view = new LmdbReplyView({ path });
  const entries = Array.from({ length: n }, (_, i) => ({
    carrier: 'yt',
    waybill: `W${i}`,
    value: randomBytes(600),
  }));
  await view.reset(mark(0));
  await view.fill(mark(0), entries);
  await view.advance(mark(42), []);
  await view.close();
}

/** Opens `path` as the gateway does and checks that it is a working, empty view. */
async function expectFreshView(path: string, damages: ViewDamage[]): Promise<void> {
  const view = new LmdbReplyView({ path, onDamaged: (d) => damages.push(d) });
  try {
    expect(view.position()).toEqual(NO_MARK);
    expect(view.size()).toBe(0);
    expect(view.get('yt', 'W1')).toBeUndefined();
    await view.reset(mark(1));
    expect(await view.fill(mark(1), [{ carrier: 'yt', waybill: 'W1', value: Buffer.from('again') }])).toBe(
      true,
    );
    expect(view.get('yt', 'W1')?.toString()).toBe('again');
  } finally {
    await view.close();
  }
}

/** The built view module (`npm run build` first), for the tests that need another process. */
const BUILT_VIEW = new URL('../../../dist/view/lmdb/lmdb-view.js', import.meta.url).pathname;

describe('LmdbReplyView on a damaged file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wxtrack-view-damage-'));
  });
  afterEach(() => {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it('moves a file cut short aside and starts afresh, naming the file', async () => {
    const path = join(dir, 'view.mdb');
    await filledView(path);
    truncateSync(path, Math.floor(statSync(path).size / 2));
    const damages: ViewDamage[] = [];
    await expectFreshView(path, damages);
    expect(damages).toHaveLength(1);
    expect(damages[0]!.path).toBe(path);
    expect(damages[0]!.movedTo).toBe(path + '.damaged');
    expect(existsSync(path + '.damaged')).toBe(true);
    // The next start finds a sound file: nothing more to move.
    const next = new LmdbReplyView({ path, onDamaged: (d) => damages.push(d) });
    expect(next.get('yt', 'W1')?.toString()).toBe('again');
    await next.close();
    expect(damages).toHaveLength(1);
  });

  it('takes a file truncated to nothing as a new view', async () => {
    const path = join(dir, 'view.mdb');
    await filledView(path);
    truncateSync(path, 0);
    const damages: ViewDamage[] = [];
    await expectFreshView(path, damages);
    expect(damages).toHaveLength(0);
  });

  it('moves a file overwritten with random bytes aside', async () => {
    const path = join(dir, 'view.mdb');
    await filledView(path);
    writeFileSync(path, randomBytes(statSync(path).size));
    const damages: ViewDamage[] = [];
    await expectFreshView(path, damages);
    expect(damages.map((d) => d.path)).toEqual([path]);
  });

  it('moves a file with garbage over its pages past the header aside', async () => {
    const path = join(dir, 'view.mdb');
    await filledView(path);
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    try {
      // Every page from the third on (the two meta pages stay intact, so LMDB opens the file).
      writeSync(fd, randomBytes(size - 8192), 0, size - 8192, 8192);
    } finally {
      closeSync(fd);
    }
    const damages: ViewDamage[] = [];
    await expectFreshView(path, damages);
    expect(damages).toHaveLength(1);
  });

  it('moves a file that is not a view aside without destroying it', async () => {
    const path = join(dir, 'view.mdb');
    const foreign = 'SQLite format 3\u0000' + 'x'.repeat(20_000);
    writeFileSync(path, foreign);
    const damages: ViewDamage[] = [];
    await expectFreshView(path, damages);
    expect(damages).toHaveLength(1);
    expect(readFileSync(path + '.damaged', 'utf8')).toBe(foreign);
  });

  it('names the file when its directory cannot be written', async () => {
    const sub = join(dir, 'ro');
    mkdirSync(sub);
    const path = join(sub, 'view.mdb');
    await filledView(path, 10); // a view from an earlier run; then the directory turns read-only
    chmodSync(sub, 0o555);
    // root may write anywhere: run as nobody then.
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    chmodSync(dir, 0o755);
    const child = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { LmdbReplyView } = await import(${JSON.stringify(BUILT_VIEW)});
         try { new LmdbReplyView({ path: ${JSON.stringify(path)} }); console.log('opened'); }
         catch (e) { console.log(e.message); }`,
      ],
      { encoding: 'utf8', timeout: 20_000, ...asNobody },
    );
    expect(child.stderr).toBe('');
    expect(child.stdout).toContain(path);
    expect(child.stdout).toMatch(/cannot write the file or its directory \(EACCES\)/);
    expect(existsSync(path)).toBe(true); // left alone: unwritable is not damaged
  });

  it('a process reading a file cut short while it serves dies alone; the next start serves a fresh view', async () => {
    const path = join(dir, 'view.mdb');
    await filledView(path, 5_000);
    // Another process serves from the view: it reads every entry again and again.
    const child = spawn(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { LmdbReplyView } = await import(${JSON.stringify(BUILT_VIEW)});
         const view = new LmdbReplyView({ path: ${JSON.stringify(path)} });
         console.log('serving');
         for (let round = 0; round < 2000; round++) {
           for (let i = 0; i < 5000; i++) view.get('yt', 'W' + i);
           await new Promise((r) => setTimeout(r, 5));
         }
         console.log('survived');`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the serving process did not start: ' + out)), 20_000);
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('serving')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    truncateSync(path, 8192);
    const bound = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const { signal } = await exited;
    clearTimeout(bound);
    expect(out).not.toContain('survived');
    expect(signal).toBe('SIGBUS');
    // Its restart: the check at open finds the damage and starts afresh, no crash loop.
    const damages: ViewDamage[] = [];
    await expectFreshView(path, damages);
    expect(damages).toHaveLength(1);
  });
});
