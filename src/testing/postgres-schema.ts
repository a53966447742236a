/**
 * @module
 * A throw-away PostgreSQL schema for a test: a random name in the test database, so test files
 * and concurrent runs never share tables or advisory locks (the store keys its locks by schema),
 * dropped with everything in it afterwards. The server is `WXTRACK_TEST_POSTGRES_URL`, by default
 * the local one CI starts (see services.ts, which also skips the suites when it is not there).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { PgPool } from '../store/postgres/postgres-driver.js';
import { createPostgresPool } from '../store/postgres/postgres-pool.js';

import { TEST_POSTGRES_URL } from './services.js';

export { TEST_POSTGRES_URL };

export interface TestSchema {
  readonly schema: string;
  /** A new pool whose connections use the schema. */
  pool(max?: number): PgPool;
  /** Drops the schema and everything in it. */
  drop(): Promise<void>;
}

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Put before every test schema's name (WXTRACK_TEST_SCHEMA_PREFIX), so runs sharing a server tell theirs apart. */
const RUN_PREFIX = /^[a-z_][a-z0-9_]{0,20}$/.test(process.env.WXTRACK_TEST_SCHEMA_PREFIX ?? '')
  ? (process.env.WXTRACK_TEST_SCHEMA_PREFIX ?? '')
  : '';

export async function createTestSchema(prefix = 'wxtrack_test'): Promise<TestSchema> {
  const schema = `${RUN_PREFIX}${prefix}_${randomBytes(5).toString('hex')}`;
  await admin(`CREATE SCHEMA ${schema}`);
  return {
    schema,
    pool: (max = 3) => createPostgresPool({ url: TEST_POSTGRES_URL, schema, max }),
    drop: () => admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`),
  };
}
