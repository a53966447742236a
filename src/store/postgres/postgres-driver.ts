/**
 * @module
 * The slice of a PostgreSQL driver the store uses, declared here so the store takes an injected
 * pool (tests wrap one to delay a COMMIT; another driver could stand in). `pg`'s `Pool` fits it
 * as it is; postgres-pool.ts makes one from a connection URL.
 */

/** One statement; `name` makes the driver prepare it once per connection. */
export interface PgQuery {
  readonly text: string;
  readonly values?: unknown[];
  readonly name?: string;
}

export interface PgResult {
  /** Rows as the driver decodes them: `bigint` columns come back as strings. */
  readonly rows: unknown[];
  readonly rowCount: number | null;
}

export interface PgQueryable {
  query(query: PgQuery): Promise<PgResult>;
}

/** A connection checked out of the pool, for a transaction. */
export interface PgClient extends PgQueryable {
  /** Returns it to the pool; with an error, the connection is destroyed instead. */
  release(err?: Error | boolean): void;
}

export interface PgPool extends PgQueryable {
  connect(): Promise<PgClient>;
  end(): Promise<void>;
}

/** A PostgreSQL error's SQLSTATE, when the error has one. */
export const sqlState = (err: unknown): string | undefined =>
  typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string'
    ? (err as { code: string }).code
    : undefined;

/** A 32-bit key for an advisory lock (FNV-1a over UTF-16 code units), as a signed int4. */
export function lockKey(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}
