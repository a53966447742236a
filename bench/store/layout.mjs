/**
 * @module
 * `node bench/store/layout.mjs`: the SQLite table layouts the store chose between, measured on
 * the shape that hurts a B-tree most: a time-ordered feed (scan k of every waybill before scan
 * k+1 of any), so each event lands on another waybill. Realistic event text (bench/track/gen-db.mjs),
 * SQL only (no parsing), into an empty database per layout, same events for each, in one run.
 * Prints events/s, bytes per event on disk (after a checkpoint; tables and indexes counted), and
 * the cost of reading one waybill's events back (µs p50/p99, 20,000 random waybills).
 *
 *   LAYOUT_EVENTS=1000000 LAYOUT_TXN=10000 LAYOUT_CACHE_MIB=64 node bench/store/layout.mjs [layout ...]
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventsOf } from '../track/gen-db.mjs';

const env = (k, d) => (process.env[k] ? Number(process.env[k]) : d);
const EVENTS = env('LAYOUT_EVENTS', 1_000_000);
const TXN = env('LAYOUT_TXN', 10_000);
const CACHE_MIB = env('LAYOUT_CACHE_MIB', 64);
const PAGE = env('LAYOUT_PAGE', 4096);
const CKPT = env('LAYOUT_CKPT_PAGES', 1000);
/** Bytes this process has caused to be written to storage (Linux). */
const written = () => Number(/write_bytes: (\d+)/.exec(readFileSync('/proc/self/io', 'utf8'))[1]);
const WAYBILLS = EVENTS / 8;
const LABELS = ['待揽件', '已揽件', '运输中', '派送中', '已签收', '签收异常', '代签收'];

// cyrb53-style 53-bit string hash: what the hash-probed layouts key event_id by.
function hash53(str) {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < str.length; i++) {
    const ch = str.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}
const fingerprint = (e) =>
  createHash('sha256')
    .update(JSON.stringify([e.waybill, e.time, e.status, e.label, e.description, e.location, e.eta ?? null]))
    .digest('base64url');

const LAYOUTS = {
  // main before this change: text carrier, stored fingerprint, unique (carrier, event_id), index with seq.
  previous: {
    ddl: `CREATE TABLE events (seq INTEGER PRIMARY KEY, carrier TEXT NOT NULL, event_id TEXT NOT NULL, waybill TEXT NOT NULL,
            time_ms INTEGER NOT NULL, status INTEGER NOT NULL, label TEXT NOT NULL, description TEXT NOT NULL, location TEXT,
            eta TEXT, cells TEXT, ingested_at INTEGER NOT NULL, fingerprint TEXT, personal TEXT, UNIQUE (carrier, event_id));
          CREATE INDEX events_by_waybill ON events (carrier, waybill, time_ms, seq);`,
    insert: `INSERT INTO events (carrier, event_id, waybill, time_ms, status, label, description, location, eta, cells, ingested_at, fingerprint, personal)
             VALUES (?,?,?,?,?,?,?,?,?,?,?,?,NULL) ON CONFLICT (carrier, event_id) DO NOTHING`,
    args: (e, now) => [
      'default',
      e.eventId,
      e.waybill,
      e.time,
      e.status,
      e.label,
      e.description,
      e.location,
      e.eta ?? null,
      e.cells ? JSON.stringify(e.cells) : null,
      now,
      fingerprint(e),
    ],
    read: `SELECT * FROM events WHERE carrier = 'default' AND waybill = ? ORDER BY time_ms, seq`,
  },
  // Compact columns, rowid table, unique index on (carrier id, event_id) probed by the insert itself.
  'rowid-unique': {
    ddl: `CREATE TABLE events (seq INTEGER PRIMARY KEY, carrier INTEGER NOT NULL, waybill TEXT NOT NULL, time_ms INTEGER NOT NULL,
            status INTEGER NOT NULL, label TEXT, description TEXT NOT NULL, location TEXT, event_id TEXT NOT NULL,
            ingested_at INTEGER NOT NULL, eta TEXT, cells TEXT, personal TEXT, UNIQUE (carrier, event_id));
          CREATE INDEX events_by_waybill ON events (carrier, waybill, time_ms);`,
    insert: `INSERT INTO events (carrier, waybill, time_ms, status, label, description, location, event_id, ingested_at, eta, cells)
             VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (carrier, event_id) DO NOTHING`,
    args: (e, now) => [
      1,
      e.waybill,
      e.time,
      e.status,
      e.label === LABELS[e.status] ? null : e.label,
      e.description,
      e.location,
      e.eventId,
      now,
      e.eta ?? null,
      e.cells ? JSON.stringify(e.cells) : null,
    ],
    read: `SELECT * FROM events WHERE carrier = 1 AND waybill = ? ORDER BY time_ms, seq`,
  },
  // Compact columns, rowid table, event_id probed by a 53-bit hash in an integer index.
  'rowid-hash': {
    ddl: `CREATE TABLE events (seq INTEGER PRIMARY KEY, carrier INTEGER NOT NULL, waybill TEXT NOT NULL, time_ms INTEGER NOT NULL,
            status INTEGER NOT NULL, label TEXT, description TEXT NOT NULL, location TEXT, event_id TEXT NOT NULL,
            id_hash INTEGER NOT NULL, ingested_at INTEGER NOT NULL, eta TEXT, cells TEXT, personal TEXT);
          CREATE INDEX events_by_waybill ON events (carrier, waybill, time_ms);
          CREATE INDEX events_by_id_hash ON events (id_hash);`,
    probe: `SELECT carrier, event_id FROM events WHERE id_hash = ?`,
    insert: `INSERT INTO events (carrier, waybill, time_ms, status, label, description, location, event_id, id_hash, ingested_at, eta, cells)
             VALUES (?,?,?,?,?,?,?,?,?,?,?,?)`,
    args: (e, now, h) => [
      1,
      e.waybill,
      e.time,
      e.status,
      e.label === LABELS[e.status] ? null : e.label,
      e.description,
      e.location,
      e.eventId,
      h,
      now,
      e.eta ?? null,
      e.cells ? JSON.stringify(e.cells) : null,
    ],
    read: `SELECT * FROM events WHERE carrier = 1 AND waybill = ? ORDER BY time_ms, seq`,
  },
  // Clustered by waybill: WITHOUT ROWID, primary key (carrier, waybill, time, seq), unique event_id index.
  clustered: {
    ddl: `CREATE TABLE events (carrier INTEGER NOT NULL, waybill TEXT NOT NULL, time_ms INTEGER NOT NULL, seq INTEGER NOT NULL,
            status INTEGER NOT NULL, label TEXT, description TEXT NOT NULL, location TEXT, event_id TEXT NOT NULL,
            ingested_at INTEGER NOT NULL, eta TEXT, cells TEXT, personal TEXT,
            PRIMARY KEY (carrier, waybill, time_ms, seq)) WITHOUT ROWID;
          CREATE UNIQUE INDEX events_by_id ON events (carrier, event_id);`,
    insert: `INSERT INTO events (carrier, waybill, time_ms, seq, status, label, description, location, event_id, ingested_at, eta, cells)
             VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (carrier, event_id) DO NOTHING`,
    args: (e, now, _h, seq) => [
      1,
      e.waybill,
      e.time,
      seq,
      e.status,
      e.label === LABELS[e.status] ? null : e.label,
      e.description,
      e.location,
      e.eventId,
      now,
      e.eta ?? null,
      e.cells ? JSON.stringify(e.cells) : null,
    ],
    read: `SELECT * FROM events WHERE carrier = 1 AND waybill = ? ORDER BY time_ms, seq`,
  },
};

// The feed, time-ordered: scan k of every waybill, then scan k+1.
const endBefore = Date.UTC(2026, 11, 1);
const perWaybill = [];
for (let w = 0; w < WAYBILLS; w++) perWaybill.push(eventsOf(w, endBefore));
const feed = [];
for (let k = 0; k < 8; k++) for (let w = 0; w < WAYBILLS; w++) feed.push(perWaybill[w][k]);

const dir = mkdtempSync(join(process.env.LAYOUT_DIR ?? tmpdir(), 'wxtrack-layout-'));
console.log(
  `${EVENTS} events over ${WAYBILLS} waybills, time-ordered; txn ${TXN}, cache ${CACHE_MIB} MiB, page ${PAGE}, checkpoint every ${CKPT} pages; load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const names = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(LAYOUTS);
try {
  for (const name of names) {
    const L = LAYOUTS[name];
    const path = join(dir, name + '.db');
    const db = new Database(path);
    db.pragma(`page_size = ${PAGE}`);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${process.env.LAYOUT_SYNC ?? 'FULL'}`);
    db.pragma(`cache_size = -${CACHE_MIB * 1024}`);
    db.pragma('mmap_size = 2147483648');
    db.pragma(`wal_autocheckpoint = ${CKPT}`);
    db.exec(L.ddl);
    const ins = db.prepare(L.insert);
    const probe = L.probe && db.prepare(L.probe);
    let seq = 0;
    const batch = db.transaction((events) => {
      const now = Date.now();
      for (const e of events) {
        let h = 0;
        if (probe) {
          h = hash53(e.eventId);
          if (probe.all(h).some((r) => r.event_id === e.eventId)) continue;
        }
        ins.run(...L.args(e, now, h, ++seq));
      }
    });
    const w0 = written();
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < feed.length; i += TXN) batch(feed.slice(i, i + TXN));
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const wroteAt = written() - w0;
    // The same batch again: every event a duplicate.
    const d0 = process.hrtime.bigint();
    for (let i = 0; i < 200_000 && i < feed.length; i += TXN) batch(feed.slice(i, i + TXN));
    const dupS = Number(process.hrtime.bigint() - d0) / 1e9;
    db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = statSync(path).size;
    const read = db.prepare(L.read);
    const times = [];
    let seed = 7;
    for (let i = 0; i < 22_000; i++) {
      seed = (seed * 48271) % 2147483647;
      const w = perWaybill[seed % WAYBILLS][0].waybill;
      const r0 = process.hrtime.bigint();
      const rows = read.all(w);
      if (i >= 2000) times.push(Number(process.hrtime.bigint() - r0) / 1000);
      if (rows.length !== 8) throw new Error(`${name}: ${rows.length} rows for ${w}`);
    }
    times.sort((a, b) => a - b);
    db.close();
    console.log(
      `${name.padEnd(13)} ${Math.round(EVENTS / s)
        .toString()
        .padStart(
          7,
        )} events/s (${Math.round(EVENTS / ((cpu.user + cpu.system) / 1e6))} per CPU-s, ${((cpu.user + cpu.system) / 1e6 / s).toFixed(2)} cores)  ` +
        `dup ${Math.round(Math.min(200_000, EVENTS) / dupS)} events/s  ` +
        `wrote ${(wroteAt / EVENTS).toFixed(0)} B/event  ${(bytes / EVENTS).toFixed(0)} B/event on disk  read p50 ${times[times.length >> 1].toFixed(1)} µs p99 ${times[Math.floor(times.length * 0.99)].toFixed(1)} µs`,
    );
    for (const s2 of ['', '-wal', '-shm']) rmSync(path + s2, { force: true });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
