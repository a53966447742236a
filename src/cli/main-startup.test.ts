/**
 * @module
 * Start-up: `wxtrack --version` and `--help` load no command. The CLI's entry imports only
 * Node's built-ins and three small modules of its own; every command arrives by `import()` when it
 * runs, and the table `--help` prints agrees with the commands themselves.
 */
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
