import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { ownerBindingsContract } from '../owner-bindings.case.test.js';
import { SqliteStore } from './sqlite-store.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-sqlite-owners-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

ownerBindingsContract('sqlite', (clock) => {
  const store = new SqliteStore({ path: join(dir, `owners-${n++}.db`), create: true, clock });
  return Promise.resolve({ backend: store, dispose: () => store.close() });
});
