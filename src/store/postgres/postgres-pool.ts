/**
 * @module
 * Makes a `pg` pool from a connection URL, for the PostgreSQL store.
 *
 * The URL carries the password: it goes to the driver and nowhere else (no log line, no error
 * message of ours includes it). An idle connection that breaks (a server restart) is reported
 * to `onError` instead of crashing the process, and the pool opens a new one on the next query.
 */
import pg from 'pg';
import type { PgPool } from './postgres-driver.js';

export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** Connections at most. Default 10. */
  readonly max?: number;
  /** Schema the store's tables live in (`search_path`); default the server's (`public`). */
  readonly schema?: string;
  /** How long to wait for a connection, ms. Default 5000: a dead server fails a query, not hangs it. */
  readonly connectTimeoutMs?: number;
  /** Told about errors on idle connections. Default: ignored (the next query reconnects). */
  readonly onError?: (err: Error) => void;
}

/** A schema name the pool accepts: a plain identifier, so it needs no quoting anywhere. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function createPostgresPool(options: PostgresPoolOptions): PgPool {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new RangeError('schema must be a lower-case identifier (a-z, 0-9, _)');
  }
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    application_name: 'wxtrack',
    ...(options.schema !== undefined ? { options: `-c search_path=${options.schema}` } : {}),
  });
  pool.on('error', (err) => options.onError?.(err));
  return pool;
}
