/**
 * @module
 * The store's refusal to open a database that is not there. A typo'd `--db` path must not turn
 * into a fresh, empty database that reports ready and answers 40401 for every parcel: only an
 * explicit creation step (`wxtrack init`, or `--create`) makes a new one.
 */
import { resolve } from 'node:path';

/** Stable code, for logs and tests. */
export const DB_MISSING = 'WXT_DB_MISSING';

export class DatabaseMissingError extends Error {
  readonly code = DB_MISSING;
  /** The path as given, made absolute. */
  readonly path: string;

  constructor(path: string) {
    const absolute = resolve(path);
    super(
      `no database at ${absolute}; create it with "wxtrack init --db ${path}", or pass --create to make a new one here`,
    );
    this.name = 'DatabaseMissingError';
    this.path = absolute;
  }
}
