/**
 * A courier's first day (issue 20, §5): the rules about a bare machine that no other suite checks.
 * Install scripts are decided one by one; CI never passes by skipping; the suite leaves nothing in
 * the clone (the global setup clone-untouched.ts fails the run; its diff is checked here).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cloneEntries, newEntries } from './clone-untouched.js';

const root = new URL('../../', import.meta.url);
const text = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('install scripts', () => {
  it('are decided for every package in the lock file that has one, and the README says why', () => {
    const pkg = JSON.parse(text('package.json')) as { allowScripts: Record<string, boolean> };
    const lock = JSON.parse(text('package-lock.json')) as {
      packages: Record<string, { hasInstallScript?: boolean }>;
    };
    const withScripts = Object.entries(lock.packages)
      .filter(([, p]) => p.hasInstallScript === true)
      .map(([path]) => path.replace(/^.*node_modules\//, ''))
      .sort();
    expect(Object.keys(pkg.allowScripts).sort()).toEqual(withScripts);
    expect(pkg.allowScripts).toEqual({ 'better-sqlite3': true, lmdb: true, 'msgpackr-extract': false });
    const readme = text('README.md');
    for (const name of withScripts) {
      expect(readme.match(new RegExp('`' + name + '`', 'g'))?.length, name).toBeGreaterThanOrEqual(2);
    }
  });

  it('leave msgpackr-extract unneeded: nothing imports msgpackr, every LMDB table names its encoding', () => {
    const files = (readdirSync(new URL('src/', root), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
      .map((f) => `src/${f}`);
    expect(files.length).toBeGreaterThan(100);
    for (const file of files) expect(text(file), file).not.toMatch(/from 'msgpackr'/);
    const view = text('src/view/lmdb/lmdb-view.ts');
    const tables = [...view.matchAll(/openDB(?:<[^>]*>)?\(\{[^}]*\}/g)].map((m) => m[0]);
    expect(tables.length).toBeGreaterThan(0);
    for (const t of tables) expect(t).toMatch(/encoding: '(binary|json|utf8)'/);
  });
});

describe('the CLI in a clone', () => {
  it('runs as node bin/wxtrack.js, and npm link can put it on PATH (executable, with its shebang)', () => {
    const pkg = JSON.parse(text('package.json')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ wxtrack: 'bin/wxtrack.js' });
    expect(text('bin/wxtrack.js').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(new URL('bin/wxtrack.js', root)).mode & 0o111).not.toBe(0);
  });
});

describe('CI', () => {
  it('makes a missing service fail the run, set before the tests run', () => {
    const run = text('.ci/run');
    const required = run.indexOf('export WXTRACK_REQUIRE_SERVICES=1');
    expect(required).toBeGreaterThan(0);
    expect(run.indexOf('npm test', required)).toBeGreaterThan(required);
  });
});

describe('the clone stays untouched', () => {
  it('names what a run added to the top level or data/, beside the tools own folders', () => {
    const before = new Set(['README.md', 'src', 'data/keep.db']);
    const after = new Set([...before, 'wxtrack.config.json', 'data/wxtrack-view-1.mdb', 'reports']);
    expect(newEntries(before, after)).toEqual(['data/wxtrack-view-1.mdb', 'wxtrack.config.json']);
    expect(cloneEntries().has('package.json')).toBe(true);
  });
});
