/**
 * @module
 * The one place the push worker opens its store connection, through the backend seam like every
 * other command. Its own connection, because a better-sqlite3 handle belongs to the thread that
 * opened it; SQLite's WAL lets the serving thread's connection read while this one writes (a
 * PostgreSQL store simply gets a pool of its own). The worker appends events only: it renders
 * nothing, so it needs no carrier's render options.
 */
import { openStore } from '../../../backends/open-backends.js';
import { systemClock } from '../../../clock/clock.js';
import type { Store } from '../../../store/store.js';
import type { WorkerStoreSpec } from './worker-protocol.js';

export function openWorkerStore(spec: WorkerStoreSpec): Promise<Store> {
  return openStore(spec, { clock: systemClock });
}
