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
  {
    version: 2,
    name: 'ingest: event fingerprints, waybill attributes, API keys',
    sql: `
      -- Content hash of an event, so a re-sent event_id is told apart as duplicate or conflict.
      -- NULL on rows from before this migration: the store computes theirs from the row itself.
      ALTER TABLE events ADD COLUMN fingerprint TEXT;

      -- Set through the waybill API, without a scan; eta and cells override the events'.
      ALTER TABLE waybills ADD COLUMN eta TEXT;
      ALTER TABLE waybills ADD COLUMN cells TEXT;
      ALTER TABLE waybills ADD COLUMN destination TEXT;

      -- Ingest API keys: only a hash of each key is kept.
      CREATE TABLE api_keys (
        id          TEXT    PRIMARY KEY,
        name        TEXT    NOT NULL,
        carrier     TEXT    NOT NULL,
        hash        TEXT    NOT NULL,
        created_at  INTEGER NOT NULL,
        revoked_at  INTEGER
      );
      CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
    `,
  },
  {
    version: 3,
    name: 'change log',
    sql: `
      -- One entry per waybill a committed write touched, in commit order (SQLite has one
      -- writer). AUTOINCREMENT: a seq is never handed out twice, even after pruning.
      CREATE TABLE changes (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        carrier  TEXT    NOT NULL,
        waybill  TEXT    NOT NULL
      );

      -- How far the log was pruned: a reader behind this point missed changes.
      CREATE TABLE change_log (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        pruned_through  INTEGER NOT NULL
      );
      INSERT INTO change_log (id, pruned_through) VALUES (1, 0);
    `,
  },
  {
    version: 4,
    name: 'events only: replies rendered on read; store identity, tagged change log, owners',
    sql: `
      -- Attributes the waybill API set, apart from the events: a write of scans touches only
      -- events (and the change log). Carried over from the rendered-waybill rows, which go.
      CREATE TABLE attributes (
        carrier      TEXT    NOT NULL,
        waybill      TEXT    NOT NULL,
        eta          TEXT,
        cells        TEXT,
        destination  TEXT,
        updated_at   INTEGER NOT NULL,
        PRIMARY KEY (carrier, waybill)
      ) WITHOUT ROWID;
      INSERT INTO attributes (carrier, waybill, eta, cells, destination, updated_at)
        SELECT carrier, waybill, eta, cells, destination, updated_at FROM waybills
        WHERE eta IS NOT NULL OR cells IS NOT NULL OR destination IS NOT NULL OR last_event_at = 0;
      DROP TABLE waybills;

      -- Owners of a waybill (privacy): a keyed hash of the openid, erased with the waybill.
      CREATE TABLE owners (
        carrier      TEXT    NOT NULL,
        waybill      TEXT    NOT NULL,
        openid_hash  TEXT    NOT NULL,
        bound_at     INTEGER NOT NULL,
        PRIMARY KEY (carrier, waybill, openid_hash)
      ) WITHOUT ROWID;

      -- The store's identity: a database made again at the same path has another one.
      CREATE TABLE store_meta (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        store_id  TEXT    NOT NULL
      );
      INSERT INTO store_meta (id, store_id) VALUES (1, lower(hex(randomblob(16))));

      -- Each change entry gets a random tag, so a reader can prove the entry at its position is
      -- still the one it read (a restored database draws the same seqs again, with other tags).
      CREATE TABLE changes_tagged (
        seq      INTEGER PRIMARY KEY AUTOINCREMENT,
        carrier  TEXT    NOT NULL,
        waybill  TEXT    NOT NULL,
        tag      TEXT    NOT NULL
      );
      INSERT INTO changes_tagged (seq, carrier, waybill, tag)
        SELECT seq, carrier, waybill, lower(hex(randomblob(9))) FROM changes ORDER BY seq;
      DROP TABLE changes;
      ALTER TABLE changes_tagged RENAME TO changes;
      -- Seqs never go back, even when every entry was pruned.
      INSERT INTO sqlite_sequence (name, seq)
        SELECT 'changes', pruned_through FROM change_log
        WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'changes');
      UPDATE sqlite_sequence SET seq = MAX(seq, (SELECT pruned_through FROM change_log)) WHERE name = 'changes';
      ALTER TABLE change_log ADD COLUMN pruned_tag TEXT NOT NULL DEFAULT '';
    `,
  },
  {
    version: 5,
    name: 'personal fields of events (privacy tiers)',
    sql: `
      -- recipient_name, recipient_phone, pickup_code as a JSON object, or NULL when the event
      -- carries none: drawn in full for a waybill's owners and masked for everyone else.
      ALTER TABLE events ADD COLUMN personal TEXT;
    `,
  },
  {
    version: 6,
    name: 'compact events: carrier ids, default labels left out, no stored fingerprint',
    sql: `
      -- Carriers by a small integer: every event row and both of its index entries name one.
      CREATE TABLE carriers (
        id    INTEGER PRIMARY KEY,
        name  TEXT    NOT NULL UNIQUE
      );
      INSERT INTO carriers (name) SELECT DISTINCT carrier FROM events ORDER BY carrier;

      -- A rowid table in ingest order (a time-ordered feed appends at its end), with two
      -- indexes: the waybill's events in rendering order (rowid breaks ties), and event_id for
      -- exact dedupe. label is NULL when it is the status's own label (tracking/status.ts).
      -- No fingerprint: a re-sent event is compared with the stored row itself.
      CREATE TABLE events_compact (
        seq          INTEGER PRIMARY KEY,
        carrier      INTEGER NOT NULL,
        waybill      TEXT    NOT NULL,
        time_ms      INTEGER NOT NULL,
        status       INTEGER NOT NULL CHECK (status BETWEEN 0 AND 6),
        label        TEXT,
        description  TEXT    NOT NULL,
        location     TEXT,
        event_id     TEXT    NOT NULL,
        ingested_at  INTEGER NOT NULL,
        eta          TEXT,
        cells        TEXT,
        personal     TEXT
      );
      INSERT INTO events_compact (seq, carrier, waybill, time_ms, status, label, description, location,
                                  event_id, ingested_at, eta, cells, personal)
        SELECT e.seq, c.id, e.waybill, e.time_ms, e.status,
               CASE WHEN e.label = CASE e.status WHEN 0 THEN '待揽件' WHEN 1 THEN '已揽件' WHEN 2 THEN '运输中'
                                                 WHEN 3 THEN '派送中' WHEN 4 THEN '已签收' WHEN 5 THEN '签收异常'
                                                 WHEN 6 THEN '代签收' END
                    THEN NULL ELSE e.label END,
               e.description, e.location, e.event_id, e.ingested_at, e.eta, e.cells, e.personal
        FROM events e JOIN carriers c ON c.name = e.carrier ORDER BY e.seq;
      DROP TABLE events;
      ALTER TABLE events_compact RENAME TO events;
      -- Built after the copy: a sorted build instead of one random insert per row.
      CREATE INDEX events_by_waybill ON events (carrier, waybill, time_ms);
      CREATE UNIQUE INDEX events_by_id ON events (carrier, event_id);
    `,
  },
]);
