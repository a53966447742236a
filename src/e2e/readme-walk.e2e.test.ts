/**
 * End to end, the README's walk from the demo to a check report, run as written: `wxtrack demo`,
 * then the README's own `wxtrack check …` line (read from README.md, with the demo's token and
 * port put in), which must pass, load included, within the demo's default rate limit. Runs
 * against dist/ (`npm test` builds first).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../guard/redis/testing/redis-server.js';
import { BIN } from '../testing/serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-walk-'));
let demo: ChildProcess | undefined;

afterAll(async () => {
  if (demo && demo.exitCode === null && demo.signalCode === null) {
    const exited = new Promise((r) => demo!.once('exit', r));
    demo.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** The README's `npx wxtrack check …` command, continuation lines joined, as arguments. */
function readmeCheckLine(): string[] {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const walk = /```sh\n(npx wxtrack demo[\s\S]*?)```/.exec(readme)?.[1];
  if (!walk) throw new Error('README.md has no walk from the demo');
  const line = walk
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .find((l) => l.startsWith('npx wxtrack check '));
  if (!line) throw new Error("the README's walk has no check line");
  return line.split('#')[0]!.trim().split(/\s+/).slice(2);
}

function run(args: readonly string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe("the README's walk", () => {
  it('passes its check against the demo, as written', async () => {
    const port = await freePort();
    demo = spawn(process.execPath, [BIN, 'demo', '--port', String(port)], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const token = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the demo did not print its token')), 60_000);
      createInterface({ input: demo!.stdout! }).on('line', (line) => {
        const m = /^token: (\S+)$/.exec(line);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      demo!.once('exit', (code) => reject(new Error(`the demo exited ${code}`)));
    });
    const args = readmeCheckLine().map((a) =>
      a === 'TOKEN' ? token : a.replace('127.0.0.1:8787', `127.0.0.1:${port}`),
    );
    expect(args[0]).toBe('check');
    const { code, out } = await run(args);
    expect(out).toContain('Ready for review');
    expect(out).not.toContain('42901');
    expect(code, out).toBe(0);
    const report = join(dir, 'check-report.md');
    expect(existsSync(report)).toBe(true);
    expect(readFileSync(report, 'utf8')).toContain('**PASS 通过**');
  }, 180_000);
});
