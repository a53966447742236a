/**
 * @module
 * Versioned schema for the SQLite store. Append a migration; never edit one that has shipped.
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const SQLITE_MIGRATIONS: readonly Migration[] = Object.freeze([
  {
    version: 1,
    name: 'events and rendered waybills',
    sql: `
      CREATE TABLE events (
        seq          INTEGER PRIMARY KEY,      -- ingest order
        carrier      TEXT    NOT NULL,
        event_id     TEXT    NOT NULL,
        waybill      TEXT    NOT NULL,
        time_ms      INTEGER NOT NULL,
        status       INTEGER NOT NULL CHECK (status BETWEEN 0 AND 6),
        label        TEXT    NOT NULL,
        description  TEXT    NOT NULL,
        location     TEXT,
        eta          TEXT,
        cells        TEXT,                     -- JSON array, or NULL when the event sets none
        ingested_at  INTEGER NOT NULL,
        UNIQUE (carrier, event_id)
      );
      CREATE INDEX events_by_waybill ON events (carrier, waybill, time_ms, seq);

      -- The reply WeChat gets, rendered whenever the waybill's events change: a query is one read.
      CREATE TABLE waybills (
        carrier        TEXT    NOT NULL,
        waybill        TEXT    NOT NULL,
        reply          TEXT    NOT NULL,
        status         INTEGER NOT NULL,
        last_event_at  INTEGER NOT NULL,
        updated_at     INTEGER NOT NULL,
        PRIMARY KEY (carrier, waybill)
      );
      CREATE INDEX waybills_by_last_event ON waybills (last_event_at);
    `,
  },
]);
