/**
 * @module
 * Makes a `pg` pool from a connection URL, for the PostgreSQL store, with every call bounded.
 *
 * The URL carries the password: it goes to the driver and nowhere else (no log line, no error
 * message of ours includes it). An idle connection that breaks (a server restart) is reported
 * to `onError` instead of crashing the process, and the pool opens a new one on the next query.
 *
 * Why bounds on every call: a PostgreSQL that stops answering without closing its sockets (a
 * frozen host, a network partition, a stuck proxy) left queries waiting for the whole freeze
 * (34 s measured), pushes failing only after 5 s and `/readyz` never answering. So:
 *
 * - waiting for a connection (from the pool, or a new one through TCP connect and start-up) is
 *   bounded by `connectTimeoutMs`, default 1,000 ms;
 * - a single statement on the pool (every read of the query path: a reply, the change log, the
 *   readiness ping) is bounded on the client by `queryTimeoutMs`, default 1,500 ms, after which
 *   its connection is discarded, not reused. A query that misses the reply view therefore gets
 *   its answer or 50001 within connect + query = 2.5 s, well under WeChat's 5 s;
 * - a statement inside a transaction (writes: a push slice, an import batch, a purge, a
 *   migration) is bounded on the client by `transactionTimeoutMs`, default 30 s;
 * - the server bounds the same statements itself (`statement_timeout`, the transaction bound) and
 *   ends a session idle inside a transaction after `idle_in_transaction_session_timeout`, so a
 *   client that vanished mid-transaction does not hold its locks;
 * - TCP keepalive on both ends (ours from 10 s of silence; the server's probes every 10 s after
 *   30 s, 3 tries), so a connection whose peer is gone is found and closed even when idle.
 */
import pg from 'pg';
import type { PgClient, PgPool, PgQuery, PgResult } from './postgres-driver.js';

export interface PostgresPoolOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** Connections at most. Default 10. */
  readonly max?: number;
  /** Schema the store's tables live in (`search_path`); default the server's (`public`). */
  readonly schema?: string;
  /** How long to wait for a connection, ms. Default 1,000: a dead server fails a query, not hangs it. */
  readonly connectTimeoutMs?: number;
  /** Longest a single statement on the pool (a read) may take, client side, ms. Default 1,500. */
  readonly queryTimeoutMs?: number;
  /**
   * Longest a statement inside a transaction (a write) may take, ms; the server's
   * `statement_timeout` too. Default 30,000.
   */
  readonly transactionTimeoutMs?: number;
  /** Told about errors on idle connections. Default: ignored (the next query reconnects). */
  readonly onError?: (err: Error) => void;
}

/** The defaults above, for the docs and the tests. */
export const POSTGRES_BOUNDS = Object.freeze({
  connectTimeoutMs: 1_000,
  queryTimeoutMs: 1_500,
  transactionTimeoutMs: 30_000,
  /** The server ends a session idle inside a transaction after this long. */
  idleInTransactionMs: 60_000,
  /** Our TCP keepalive starts after this much silence. */
  keepAliveDelayMs: 10_000,
});

/** The message of `pg`'s client-side timeout. */
const TIMEOUT_MESSAGE = 'Query read timeout';

/** A schema name the pool accepts: a plain identifier, so it needs no quoting anywhere. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const positiveInteger = (name: string, value: number): number => {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer`);
  return value;
};

/** `pg`'s per-query client timeout: `query_timeout` in a query's config overrides the pool's. */
type BoundedQuery = PgQuery & { readonly query_timeout: number };

export function createPostgresPool(options: PostgresPoolOptions): PgPool {
  if (options.schema !== undefined && !SCHEMA_NAME.test(options.schema)) {
    throw new RangeError('schema must be a lower-case identifier (a-z, 0-9, _)');
  }
  const connectMs = positiveInteger(
    'connectTimeoutMs',
    options.connectTimeoutMs ?? POSTGRES_BOUNDS.connectTimeoutMs,
  );
  const queryMs = positiveInteger('queryTimeoutMs', options.queryTimeoutMs ?? POSTGRES_BOUNDS.queryTimeoutMs);
  const txMs = positiveInteger(
    'transactionTimeoutMs',
    options.transactionTimeoutMs ?? POSTGRES_BOUNDS.transactionTimeoutMs,
  );
  const settings = [
    ...(options.schema !== undefined ? [`search_path=${options.schema}`] : []),
    `statement_timeout=${txMs}`,
    `idle_in_transaction_session_timeout=${POSTGRES_BOUNDS.idleInTransactionMs}`,
    'tcp_keepalives_idle=30',
    'tcp_keepalives_interval=10',
    'tcp_keepalives_count=3',
  ];
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    connectionTimeoutMillis: connectMs,
    // Bounds every statement that names no bound of its own (none here do without one).
    query_timeout: txMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: POSTGRES_BOUNDS.keepAliveDelayMs,
    application_name: 'wxtrack',
    options: settings.map((s) => `-c ${s}`).join(' '),
  });
  pool.on('error', (err) => options.onError?.(err));

  const bounded = (query: PgQuery, ms: number): BoundedQuery => ({ ...query, query_timeout: ms });
  return {
    // pool.query releases its connection with the error on a timeout, so pg-pool destroys it:
    // the late reply to a timed-out statement never reaches the next one.
    query: (query: PgQuery): Promise<PgResult> => pool.query(bounded(query, queryMs)),
    connect: async (): Promise<PgClient> => {
      const client = await pool.connect();
      // After a timed-out statement the connection still waits for that statement's reply, so a
      // ROLLBACK sent on it would wait as long again: fail what follows at once, and the caller's
      // release with that error destroys the connection.
      let stuck: Error | undefined;
      return {
        query: async (query: PgQuery): Promise<PgResult> => {
          if (stuck) throw stuck;
          try {
            return await client.query(bounded(query, txMs));
          } catch (err) {
            if (err instanceof Error && err.message === TIMEOUT_MESSAGE) stuck = err;
            throw err;
          }
        },
        release: (err?: Error | boolean) => client.release(err ?? stuck),
      };
    },
    end: () => pool.end(),
  };
}
