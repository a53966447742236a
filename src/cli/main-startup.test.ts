/**
 * @module
 * Start-up: `wxtrack --version` and `--help` load no command. The CLI's entry imports only
 * Node's built-ins and three small modules of its own; every command arrives by `import()` when it
 * runs, and the table `--help` prints agrees with the commands themselves.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from './main.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Modules reachable from `file` through static, value-level imports (not `import type`, not `import()`). */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  seen.add(relative(root, file));
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/^import\s+(?!type\b)[^;]*?\bfrom\s+'([^']+)';/gm)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) {
      const target = join(dirname(file), spec.replace(/\.js$/, '.ts'));
      if (!seen.has(relative(root, target))) staticImports(target, seen);
    } else {
      seen.add(spec);
    }
  }
  return seen;
}

describe('the CLI entry', () => {
  it('imports only built-ins, output.ts, suggest.ts and store-errors.ts before a command is chosen', () => {
    expect([...staticImports(join(root, 'src/cli/main.ts'))].sort()).toEqual([
      'node:fs',
      'node:path',
      'node:util',
      'src/cli/main.ts',
      'src/cli/output.ts',
      'src/cli/suggest.ts',
      'src/store/store-errors.ts',
    ]);
  });

  it('lists each command with the name and summary the command itself has', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect({ name: command.name, summary: command.summary }).toEqual({
        name: entry.name,
        summary: entry.summary,
      });
    }
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
  });
});

describe('start-up time', () => {
  /** Median wall time of `node ARGS`, ms, over `n` runs one after the other. */
  function median(args: readonly string[], n = 5): number {
    const times: number[] = [];
    for (let i = 0; i < n; i++) {
      const start = process.hrtime.bigint();
      const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
      expect(r.status).toBe(0);
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    return times.sort((a, b) => a - b)[Math.floor(n / 2)]!;
  }

  it('--version and --help cost little more than Node itself (measured beside `node -e 0`)', () => {
    // Interleaved medians, so a busy machine slows both alike. Loading every command (Fastify,
    // exceljs, …) cost about 750 ms more than Node alone; loading none, about 30 ms.
    const bare = median(['-e', '0']);
    const version = median([join(root, 'bin/wxtrack.js'), '--version']);
    const help = median([join(root, 'bin/wxtrack.js'), '--help']);
    expect(version - bare, `--version ${version} ms, node -e 0 ${bare} ms`).toBeLessThan(150);
    expect(help - bare, `--help ${help} ms, node -e 0 ${bare} ms`).toBeLessThan(150);
  }, 60_000);
});
