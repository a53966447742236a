/**
 * @module
 * The one place the push worker opens its store connection. Its own connection, because a
 * better-sqlite3 handle belongs to the thread that opened it; SQLite's WAL lets the serving
 * thread's connection read while this one writes.
 */
import { systemClock } from '../../../clock/clock.js';
import { makeCarrierRenderer } from '../../../store/renderer.js';
import { SqliteStore } from '../../../store/sqlite/sqlite-store.js';
import type { Store } from '../../../store/store.js';
import type { CarrierRenderOptions, WorkerStoreSpec } from './worker-protocol.js';

export function openWorkerStore(
  spec: WorkerStoreSpec,
  renderOptionsOf: (carrier: string) => CarrierRenderOptions,
): Store {
  return new SqliteStore({
    path: spec.dbPath,
    clock: systemClock,
    renderer: makeCarrierRenderer(renderOptionsOf),
  });
}
