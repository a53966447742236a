/**
 * @module
 * Versioned schema for the PostgreSQL store, and the migrator. Append a migration; never edit one
 * that has shipped.
 *
 * Several gateway nodes may start at once against a new database: the migrator holds a
 * session-level advisory lock (`pg_advisory_lock`, keyed by schema) around reading the version
 * and applying what is missing, so exactly one node applies each migration and the others find
 * it done. Each migration runs in its own transaction with its version row (PostgreSQL DDL is
 * transactional): a failing one leaves nothing behind.
 *
 * Text keys use the "C" collation: waybill numbers sort by code point, as on SQLite, and the
 * indexes serve `ORDER BY waybill` and range scans whatever the database's locale.
 */
import { lockKey, type PgPool } from './postgres-driver.js';

export interface PgMigration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const POSTGRES_MIGRATIONS: readonly PgMigration[] = Object.freeze([
  {
    version: 1,
    name: 'events, rendered waybills, API keys, change log',
    sql: `
      CREATE TABLE events (
        seq          BIGINT   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- ingest order
        carrier      TEXT     COLLATE "C" NOT NULL,
        event_id     TEXT     COLLATE "C" NOT NULL,
        waybill      TEXT     COLLATE "C" NOT NULL,
        time_ms      BIGINT   NOT NULL,
        status       SMALLINT NOT NULL CHECK (status BETWEEN 0 AND 6),
        label        TEXT     NOT NULL,
        description  TEXT     NOT NULL,
        location     TEXT,
        eta          TEXT,
        cells        TEXT,      -- JSON as sent (not jsonb: a re-render must see the same bytes)
        ingested_at  BIGINT   NOT NULL,
        fingerprint  TEXT     NOT NULL,  -- content hash: a re-sent event_id is duplicate or conflict
        UNIQUE (carrier, event_id)
      );
      CREATE INDEX events_by_waybill ON events (carrier, waybill, time_ms, seq);

      -- The reply WeChat gets, rendered whenever the waybill changes: a query is one read.
      CREATE TABLE waybills (
        carrier        TEXT     COLLATE "C" NOT NULL,
        waybill        TEXT     COLLATE "C" NOT NULL,
        reply          TEXT     NOT NULL,
        status         SMALLINT NOT NULL,
        last_event_at  BIGINT   NOT NULL,
        updated_at     BIGINT   NOT NULL,
        eta            TEXT,    -- set through the waybill API; eta and cells override the events'
        cells          TEXT,
        destination    TEXT,
        PRIMARY KEY (carrier, waybill)
      );
      CREATE INDEX waybills_by_last_event ON waybills (last_event_at);

      -- Ingest API keys: only a hash of each key is kept.
      CREATE TABLE api_keys (
        id          TEXT   COLLATE "C" PRIMARY KEY,
        name        TEXT   COLLATE "C" NOT NULL,
        carrier     TEXT   NOT NULL,
        hash        TEXT   NOT NULL,
        created_at  BIGINT NOT NULL,
        revoked_at  BIGINT,
        added       BIGINT GENERATED ALWAYS AS IDENTITY  -- insertion order, for listing
      );
      CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;

      -- One entry per waybill a committed write touched. Writers take seq under one advisory
      -- lock held to COMMIT, so seq order is commit order (see postgres-store.ts).
      CREATE TABLE changes (
        seq      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        carrier  TEXT   NOT NULL,
        waybill  TEXT   NOT NULL
      );
      -- How far the log was pruned: a reader behind this point missed changes.
      CREATE TABLE change_log (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        pruned_through  BIGINT  NOT NULL
      );
      INSERT INTO change_log (id, pruned_through) VALUES (1, 0);
    `,
  },
  {
    version: 2,
    name: 'events only: replies rendered on read; store identity, tagged change log, owners',
    sql: `
      -- Attributes the waybill API set, apart from the events: a write of scans touches only
      -- events (and the change log). Carried over from the rendered-waybill rows, which go.
      CREATE TABLE attributes (
        carrier      TEXT   COLLATE "C" NOT NULL,
        waybill      TEXT   COLLATE "C" NOT NULL,
        eta          TEXT,
        cells        TEXT,
        destination  TEXT,
        updated_at   BIGINT NOT NULL,
        PRIMARY KEY (carrier, waybill)
      );
      INSERT INTO attributes (carrier, waybill, eta, cells, destination, updated_at)
        SELECT carrier, waybill, eta, cells, destination, updated_at FROM waybills
        WHERE eta IS NOT NULL OR cells IS NOT NULL OR destination IS NOT NULL OR last_event_at = 0;
      DROP TABLE waybills;

      -- Owners of a waybill (privacy): a keyed hash of the openid, erased with the waybill.
      CREATE TABLE owners (
        carrier      TEXT   COLLATE "C" NOT NULL,
        waybill      TEXT   COLLATE "C" NOT NULL,
        openid_hash  TEXT   COLLATE "C" NOT NULL,
        bound_at     BIGINT NOT NULL,
        PRIMARY KEY (carrier, waybill, openid_hash)
      );

      -- The store's identity: a database or schema made again at the same URL has another one.
      CREATE TABLE store_meta (
        id        INTEGER PRIMARY KEY CHECK (id = 1),
        store_id  TEXT    NOT NULL
      );
      INSERT INTO store_meta (id, store_id) VALUES (1, md5(random()::text || clock_timestamp()::text));

      -- Each change entry gets a random tag, so a reader can prove the entry at its position is
      -- still the one it read (a restored database draws the same seqs again, with other tags).
      -- The volatile default gives each existing entry its own; writers set the tag themselves.
      ALTER TABLE changes ADD COLUMN tag TEXT NOT NULL DEFAULT substr(md5(random()::text), 1, 12);
      ALTER TABLE changes ALTER COLUMN tag DROP DEFAULT;
      ALTER TABLE change_log ADD COLUMN pruned_tag TEXT NOT NULL DEFAULT '';
    `,
  },
  {
    version: 3,
    name: 'personal fields of events (privacy tiers)',
    sql: `
      -- recipient_name, recipient_phone, pickup_code as a JSON object, or NULL when the event
      -- carries none: drawn in full for a waybill's owners and masked for everyone else.
      ALTER TABLE events ADD COLUMN personal TEXT;
    `,
  },
  {
    version: 4,
    name: 'events partitioned by day, event keys for exact dedupe, waybills homed in one partition',
    sql: `
      -- The previous events table goes; its rows move into the partitioned one below.
      ALTER TABLE events RENAME TO events_v3;
      ALTER INDEX events_by_waybill RENAME TO events_v3_by_waybill;

      -- Ingest order across partitions (an identity column cannot span them).
      CREATE SEQUENCE event_seq;
      SELECT setval('event_seq', COALESCE((SELECT MAX(seq) FROM events_v3), 1),
                    (SELECT MAX(seq) IS NOT NULL FROM events_v3));

      -- Partitioned by \`day\`: the UTC day (days since 1970) the waybill was first stored, kept
      -- in waybills.day. Every event of a waybill lives in that one partition, so a waybill whose
      -- scans straddle midnight stays whole, a read touches one partition, and retention drops a
      -- partition once none of its events is newer than the cutoff (postgres-store.ts).
      CREATE TABLE events (
        day          INTEGER  NOT NULL,
        seq          BIGINT   NOT NULL DEFAULT nextval('event_seq'),
        carrier      TEXT     COLLATE "C" NOT NULL,
        event_id     TEXT     COLLATE "C" NOT NULL,
        waybill      TEXT     COLLATE "C" NOT NULL,
        time_ms      BIGINT   NOT NULL,
        status       SMALLINT NOT NULL CHECK (status BETWEEN 0 AND 6),
        label        TEXT     NOT NULL,
        description  TEXT     NOT NULL,
        location     TEXT,
        eta          TEXT,
        cells        TEXT,
        ingested_at  BIGINT   NOT NULL,
        personal     TEXT
      ) PARTITION BY RANGE (day);
      ALTER SEQUENCE event_seq OWNED BY events.seq;
      CREATE INDEX events_by_waybill ON events (carrier, waybill, time_ms, seq);
      -- Tells retention, without reading a partition, whether it holds an event newer (or older)
      -- than a cutoff: a few pages per partition, next to nothing on insert.
      CREATE INDEX events_by_time ON events USING brin (time_ms) WITH (autosummarize = on);

      -- Exact dedupe by event_id: a unique index on a partitioned table must hold the partition
      -- key, so (carrier, event_id) is unique here, in one narrow unpartitioned table. The
      -- fingerprint (SHA-256 of the content) tells a duplicate from a conflict.
      CREATE TABLE event_keys (
        carrier      TEXT  COLLATE "C" NOT NULL,
        event_id     TEXT  COLLATE "C" NOT NULL,
        fingerprint  BYTEA NOT NULL,
        PRIMARY KEY (carrier, event_id)
      );

      -- A waybill's partition, written once when the waybill is first stored.
      CREATE TABLE waybills (
        carrier  TEXT    COLLATE "C" NOT NULL,
        waybill  TEXT    COLLATE "C" NOT NULL,
        day      INTEGER NOT NULL,
        PRIMARY KEY (carrier, waybill)
      );

      -- The partitions. A detached one is being purged: its waybills count as gone.
      CREATE TABLE event_days (
        day       INTEGER PRIMARY KEY,
        relname   TEXT    NOT NULL,
        attached  BOOLEAN NOT NULL
      );

      -- Rows of the previous release go into one partition of day 0, purged like any other.
      DO $$ BEGIN
        IF EXISTS (SELECT 1 FROM events_v3) THEN
          CREATE TABLE events_legacy PARTITION OF events FOR VALUES FROM (MINVALUE) TO (1);
          INSERT INTO event_days (day, relname, attached) VALUES (0, 'events_legacy', true);
        END IF;
      END $$;
      INSERT INTO events (day, seq, carrier, event_id, waybill, time_ms, status, label, description,
                          location, eta, cells, ingested_at, personal)
        SELECT 0, seq, carrier, event_id, waybill, time_ms, status, label, description,
               location, eta, cells, ingested_at, personal
        FROM events_v3 ORDER BY carrier, waybill, time_ms, seq;
      -- Fingerprints were base64url text; one that is not (none written by a release) is kept
      -- as its SHA-256, so no re-sent event ever matches it by accident.
      INSERT INTO event_keys (carrier, event_id, fingerprint)
        SELECT carrier, event_id,
               CASE WHEN fingerprint ~ '^[A-Za-z0-9_-]{43}$'
                    THEN decode(translate(fingerprint, '-_', '+/') || '=', 'base64')
                    ELSE sha256(convert_to('legacy:' || fingerprint, 'UTF8')) END
        FROM events_v3;
      INSERT INTO waybills (carrier, waybill, day) SELECT DISTINCT carrier, waybill, 0 FROM events_v3;
      DROP TABLE events_v3;
    `,
  },
]);

/** A UTC day as the events table's partition key: days since 1970-01-01. */
export const DAY_MS = 86_400_000;
export const dayOf = (ms: number): number => Math.floor(ms / DAY_MS);

/** Day partitions made ahead of the current day, so no write waits for DDL in a week. */
export const PARTITIONS_AHEAD = 7;

/** A partition's table name: `events_p20260704`. */
export function partitionName(day: number): string {
  return 'events_p' + new Date(day * DAY_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * Creates the day partitions from `today - 1` through `today + ahead` that do not exist yet,
 * under the schema's migration lock (so nodes starting together create each once). Returns the
 * newest attached day. `CREATE TABLE … PARTITION OF` locks the events table for a moment, so it
 * runs at start, from the purge, and from a write only when its day has no partition.
 */
export async function ensurePartitions(
  pool: PgPool,
  today: number,
  ahead: number = PARTITIONS_AHEAD,
): Promise<number> {
  const locks = schemaLocks(await currentSchema(pool));
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query({ text: 'SELECT pg_advisory_lock($1, 0)', values: [locks.migrate] });
    try {
      const { rows } = await client.query({ text: 'SELECT day FROM event_days' });
      const known = new Set((rows as { day: number }[]).map((r) => r.day));
      for (let day = Math.max(1, today - 1); day <= today + ahead; day++) {
        if (known.has(day)) continue;
        const name = partitionName(day);
        await client.query({ text: 'BEGIN' });
        try {
          await client.query({
            text: `CREATE TABLE ${name} PARTITION OF events FOR VALUES FROM (${day}) TO (${day + 1})`,
          });
          await client.query({
            text: 'INSERT INTO event_days (day, relname, attached) VALUES ($1, $2, true)',
            values: [day, name],
          });
          await client.query({ text: 'COMMIT' });
        } catch (err) {
          await client.query({ text: 'ROLLBACK' });
          throw err;
        }
      }
      const newest = await client.query({
        text: 'SELECT COALESCE(MAX(day), 0) AS day FROM event_days WHERE attached',
      });
      return (newest.rows[0] as { day: number }).day;
    } finally {
      await client.query({ text: 'SELECT pg_advisory_unlock($1, 0)', values: [locks.migrate] });
    }
  } catch (err) {
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.release(broken);
  }
}

/** The advisory-lock keys of one schema: per purpose, so the locks never wait on each other. */
export function schemaLocks(schema: string) {
  return {
    migrate: lockKey(`wxtrack:migrate:${schema}`),
    changes: lockKey(`wxtrack:changes:${schema}`),
  };
}

/** The schema the pool's connections create tables in. */
export async function currentSchema(pool: PgPool): Promise<string> {
  const { rows } = await pool.query({ text: 'SELECT current_schema() AS schema' });
  const schema = (rows[0] as { schema: string | null }).schema;
  if (schema === null) throw new Error('no schema on the search_path exists');
  return schema;
}

/**
 * Applies every migration newer than the schema's version, under the schema's migration lock,
 * then makes the day partitions of `today` and the days ahead. Returns how many it applied.
 */
export async function migratePostgres(
  pool: PgPool,
  migrations: readonly PgMigration[] = POSTGRES_MIGRATIONS,
  today: number = dayOf(Date.now()),
): Promise<number> {
  const applied = await applyMigrations(pool, migrations);
  // Partitions ahead of time, once the schema has the partitioned table.
  if (migrations.some((m) => m.version === 4)) await ensurePartitions(pool, today);
  return applied;
}

async function applyMigrations(pool: PgPool, migrations: readonly PgMigration[]): Promise<number> {
  const locks = schemaLocks(await currentSchema(pool));
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query({ text: 'SELECT pg_advisory_lock($1, 0)', values: [locks.migrate] });
    try {
      await client.query({
        text: `CREATE TABLE IF NOT EXISTS schema_migrations (
          version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
      });
      const { rows } = await client.query({
        text: 'SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations',
      });
      const current = (rows[0] as { v: number }).v;
      let applied = 0;
      for (const m of migrations) {
        if (m.version <= current) continue;
        await client.query({ text: 'BEGIN' });
        try {
          await client.query({ text: m.sql });
          await client.query({
            text: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)',
            values: [m.version, m.name, Date.now()],
          });
          await client.query({ text: 'COMMIT' });
        } catch (err) {
          await client.query({ text: 'ROLLBACK' });
          throw err;
        }
        applied++;
      }
      return applied;
    } finally {
      await client.query({ text: 'SELECT pg_advisory_unlock($1, 0)', values: [locks.migrate] });
    }
  } catch (err) {
    // A connection left in an unknown state (lock held, transaction open) is not reused.
    broken = err instanceof Error ? err : new Error(String(err));
    throw err;
  } finally {
    client.release(broken);
  }
}
