/**
 * @module
 * The npm package as a user gets it: `npm pack`, unpacked as an installed dependency, then the
 * README's first steps run from it: `--version`, `init` (whose `$schema` must resolve inside the
 * package) and `demo` serving a signed query. Its dependencies resolve from this checkout's
 * node_modules, the package being unpacked under it, so no registry is needed; what is proven is
 * that the package's own files (bin, dist, schema, README, LICENSE) are enough. Runs against
 * dist/ (`npm test` builds first).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
// Under node_modules, so the unpacked package finds its dependencies by walking up.
const cache = join(ROOT, 'node_modules', '.cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'wxtrack-pack-'));
const installed = join(dir, 'node_modules', 'wxtrack');
const bin = join(installed, 'bin', 'wxtrack.js');
let files: string[] = [];

beforeAll(() => {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const packed = JSON.parse(
    execFileSync(npm, ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  ) as { filename: string; files: { path: string }[] }[];
  files = packed[0]!.files.map((f) => f.path);
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(dir, packed[0]!.filename), '-C', installed, '--strip-components=1']);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the packed package', () => {
  it('ships the command, the build, the schema, the README and the licence, and no sources or tests', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/wxtrack.js', 'dist/cli/main.js']) {
      expect(files, f).toContain(f);
    }
    expect(files).toContain('schema/wxtrack.config.schema.json');
    expect(
      files.filter((f) => f.startsWith('src/') || /\.test\.(js|ts)$/.test(f) || f.includes('/testing/')),
    ).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.engines).toEqual({ node: '>=20.19' });
    expect(pkg.repository).toMatchObject({ url: 'git+https://github.com/wxtrack/wxtrack.git' });
  });

  it('every link of its README works from the package: shipped, or absolute', () => {
    const readme = readFileSync(join(installed, 'README.md'), 'utf8');
    const relative = [...readme.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1]!)
      .filter((t) => !/^[a-z]+:/i.test(t) && !t.startsWith('#'));
    for (const target of relative)
      expect(existsSync(join(installed, target.split('#')[0]!)), target).toBe(true);
  });

  it('runs --version and init from the installed files', () => {
    const run = (...args: string[]) =>
      execFileSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8' });
    expect(run('--version')).toMatch(/^wxtrack \d+\.\d+\.\d+/);
    run('init', '--db', './data/wxtrack.db', '--config', 'wxtrack.config.json');
    expect(existsSync(join(dir, 'data', 'wxtrack.db'))).toBe(true);
    const config = JSON.parse(readFileSync(join(dir, 'wxtrack.config.json'), 'utf8')) as { $schema: string };
    expect(config.$schema).toBe('./node_modules/wxtrack/schema/wxtrack.config.schema.json');
    expect(existsSync(resolve(dir, config.$schema))).toBe(true);
  });

  it('serves the demo, as the README tells a new user to run it', async () => {
    const child = spawn(process.execPath, [bin, 'demo', '--port', '0'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error('demo printed no curl line')), 15_000);
        child.once('exit', (code) => reject(new Error(`demo exited ${code}`)));
        createInterface({ input: child.stdout }).on('line', (line) => {
          const m = /^curl -s '(.+)'$/.exec(line);
          if (m) {
            clearTimeout(timer);
            resolveUrl(m[1]!);
          }
        });
      });
      const body = await (await fetch(url)).text();
      expect(body).toMatch(/^WxOrderCb\(\{"err_code":0,/);
    } finally {
      child.kill('SIGINT');
    }
  });
});
