/**
 * @module
 * Vitest's global setup: the suite writes only to temporary folders, never into the clone. It
 * lists the clone's top level and its `data/` folder before any test runs, and fails the run
 * when either gained an entry by the end (a test that left `data/wxtrack-view-*.mdb` or a
 * `wxtrack.config.json` behind), naming each one. `dist/` is built before the run and left out.
 */
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The clone's top-level entries and those of `data/`, as `data/NAME`. */
export function cloneEntries(root = ROOT): Set<string> {
  const top = readdirSync(root);
  const data = existsSync(root + 'data') ? readdirSync(root + 'data').map((n) => `data/${n}`) : [];
  return new Set([...top, ...data]);
}

/** What appeared since `before`, sorted; mutation-testing and coverage folders are their tools' own. */
export function newEntries(before: ReadonlySet<string>, after: ReadonlySet<string>): string[] {
  const tools = new Set(['.stryker-tmp', 'reports', 'coverage']);
  return [...after].filter((e) => !before.has(e) && !tools.has(e)).sort();
}

export default function setup(): () => void {
  const before = cloneEntries();
  return () => {
    const added = newEntries(before, cloneEntries());
    if (added.length > 0) {
      // Vitest reports an error thrown here but keeps its exit code: set it, so the run fails.
      process.exitCode = 1;
      throw new Error(
        `the tests wrote into the clone (${added.join(', ')}); write to a temporary folder (os.tmpdir()) instead`,
      );
    }
  };
}
