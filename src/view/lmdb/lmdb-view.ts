/**
 * @module
 * The reply view in an LMDB file (the `lmdb` package: its Linux binary ships inside the npm
 * package). Every gateway process on the machine opens the same file: LMDB allows many readers and
 * one writer across processes, readers never wait, and a read is a lookup in a shared memory map
 * (about 0.3–0.5 µs for a ~500-byte value once its page is resident, against 36–117 µs for a
 * random row of the 4.3 GiB SQLite file on the same machine).
 *
 * - The conditional writes of reply-view.ts (fill only at an unchanged position, advance only
 *   forward) run inside one synchronous write transaction each, which LMDB serializes across
 *   processes, so two workers following the change log at once cannot undo each other.
 * - `noSync`: commits are not flushed to disk. The view is derived and rebuildable; a process
 *   crash loses nothing (the pages are in the kernel's cache), but an operating-system crash could
 *   leave the file torn. So the boot id (Linux) is kept beside the file, and a file written under
 *   another boot is deleted and started afresh rather than trusted.
 * - Values are stored as deflateReply() made them; LMDB's own compression is off.
 *
 * **A damaged file.** LMDB trusts its file: a file cut short makes a read fault (SIGBUS), bytes
 * written over it trip an assertion (SIGABRT) or a segmentation fault, and all of these kill the
 * process before any log line, on every start, until someone deletes the file. The view is
 * derived data, so damage to it must cost a rebuild, never service:
 *
 * - at open, an existing file is first opened and read through in a child process
 *   ({@link probeViewFile}): every entry's key and value, within {@link PROBE_BUDGET_MS}. If the
 *   child dies, fails or overruns, the file is damaged or not a view at all: it is moved aside to
 *   `PATH.damaged` (never deleted: a path pointed at the wrong file must not destroy it), its lock
 *   file removed, and a new view started. So a restart after damage comes up, without a crash loop;
 * - damage while serving can still kill the process that reads the bad page (a signal cannot be
 *   caught): the process manager (systemd, or the primary of `serve --workers`) starts it again,
 *   and the check above rebuilds the view;
 * - every error names the file.
 */
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { ChangeMark } from '../../store/roles.js';
import { NO_MARK, sameMark } from '../../store/sql/change-feed.js';
import { viewKey, type ReplyView, type ViewEntry } from '../reply-view.js';

export interface LmdbViewOptions {
  /** The view's file; LMDB adds `PATH-lock` beside it. */
  readonly path: string;
  /** Told when an existing file was found damaged or foreign and moved aside (for the log). */
  readonly onDamaged?: (damage: ViewDamage) => void;
}

/** A view file found unusable at open. */
export interface ViewDamage {
  readonly path: string;
  /** Where the file was moved. */
  readonly movedTo: string;
  /** What the check saw: the child's error, or the signal that killed it. */
  readonly reason: string;
}

/** Longest the check at open reads the file for; a bigger view is checked as far as it gets. */
export const PROBE_BUDGET_MS = 5_000;

/** Opens the file as the view does and reads every entry; exits 0 when all went well. */
const PROBE_SCRIPT = `
const [lmdbPath, path, budget] = process.argv.slice(1);
const { open } = require(lmdbPath);
const root = open({ path, noSubdir: true, maxDbs: 4, noSync: true, compression: false });
const replies = root.openDB({ name: 'replies', encoding: 'binary', compression: false });
const meta = root.openDB({ name: 'meta', encoding: 'json', compression: false });
const mark = meta.get('mark');
if (mark !== undefined && (typeof mark !== 'object' || mark === null || !Number.isInteger(mark.seq)))
  throw new Error('bad position');
const end = Date.now() + Number(budget);
let n = 0;
for (const { key, value } of replies.getRange({})) {
  if (typeof key !== 'string' || !Buffer.isBuffer(value)) throw new Error('bad entry');
  if (++n % 1024 === 0 && Date.now() > end) break;
}
process.stdout.write(String(n));
`;

const LMDB_ENTRY = createRequire(import.meta.url).resolve('lmdb');

/**
 * Whether the file at `path` opens and reads as a view, checked in a child process so that a
 * crash on a damaged file kills the child, not the gateway: `undefined` when sound, else why not.
 */
export function probeViewFile(path: string, budgetMs = PROBE_BUDGET_MS): string | undefined {
  // An empty environment: a worker of `serve --workers` has the cluster's variables, which would
  // make the check a cluster worker too; the check needs none.
  const env = {};
  const child = spawnSync(process.execPath, ['-e', PROBE_SCRIPT, LMDB_ENTRY, path, String(budgetMs)], {
    env,
    encoding: 'utf8',
    timeout: budgetMs + 10_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.error) return child.error.message;
  if (child.signal) return `reading it killed the check with ${child.signal}`;
  if (child.status !== 0) {
    const lines = child.stderr.split('\n').filter((l) => /Error|error:/.test(l));
    return (lines[0] ?? `the check exited with ${child.status}`).trim().slice(0, 300);
  }
  return undefined;
}

/** Moves a damaged view file aside and drops its lock file; returns where it went. */
function moveAside(path: string): string {
  const movedTo = path + '.damaged';
  rmSync(movedTo, { force: true });
  renameSync(path, movedTo);
  rmSync(path + '-lock', { force: true });
  return movedTo;
}

/** An error that names the view file, whatever LMDB or the file system said. */
function named(path: string, err: unknown): Error {
  const message = err instanceof Error ? err.message : String(err);
  if (message.includes(path)) return err instanceof Error ? err : new Error(message);
  const hint = /permission denied|EACCES|EROFS|read-only/i.test(message)
    ? ' (the gateway must be able to write the file and its directory)'
    : '';
  return new Error(`reply view ${path}: ${message}${hint}`, { cause: err });
}

const BOOT_ID = '/proc/sys/kernel/random/boot_id';
/** The change mark, as `{store, seq, tag}`; a view file from before marks holds a number here. */
const POSITION = 'mark';
const WARM = 'warm';

function bootId(): string | undefined {
  try {
    return readFileSync(BOOT_ID, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * Deletes a view file written before the last reboot: with noSync it may be torn. A file with no
 * boot record at all is not known to be a view (a path pointed at another file): it is left to
 * the check at open, which moves it aside rather than delete it.
 */
function discardIfFromAnotherBoot(path: string): void {
  const current = bootId();
  if (current === undefined) return;
  const marker = path + '-boot';
  let recorded: string | undefined;
  try {
    recorded = readFileSync(marker, 'utf8').trim();
  } catch {
    recorded = undefined;
  }
  if (recorded !== current) {
    if (recorded !== undefined && existsSync(path)) {
      rmSync(path, { force: true });
      rmSync(path + '-lock', { force: true });
    }
    writeFileSync(marker, current + '\n');
  }
}

/** Refuses, naming the file, a view the gateway cannot write: LMDB's own error does not name it. */
function checkWritable(path: string): void {
  try {
    accessSync(dirname(path), constants.W_OK | constants.X_OK);
    if (existsSync(path)) accessSync(path, constants.R_OK | constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EACCES';
    throw new Error(
      `reply view ${path}: cannot write the file or its directory (${code}); the gateway needs both ` +
        'writable, or set --view off',
      { cause: err },
    );
  }
}

export class LmdbReplyView implements ReplyView {
  readonly #root: RootDatabase;
  readonly #replies: Database<Buffer, string>;
  readonly #meta: Database<unknown, string>;
  #closed = false;

  readonly #path: string;

  constructor(options: LmdbViewOptions) {
    const { path } = options;
    this.#path = path;
    try {
      checkWritable(path);
      discardIfFromAnotherBoot(path);
      if (existsSync(path) && statSync(path).size > 0) {
        const reason = probeViewFile(path);
        if (reason !== undefined) {
          const movedTo = moveAside(path);
          options.onDamaged?.({ path, movedTo, reason });
        }
      }
      this.#root = open({ path, noSubdir: true, maxDbs: 4, noSync: true, compression: false });
      this.#replies = this.#root.openDB<Buffer, string>({
        name: 'replies',
        encoding: 'binary',
        compression: false,
      });
      this.#meta = this.#root.openDB<unknown, string>({ name: 'meta', encoding: 'json', compression: false });
    } catch (err) {
      throw named(path, err);
    }
  }

  /** The view's file. */
  get path(): string {
    return this.#path;
  }

  get(carrier: string, waybill: string): Buffer | undefined {
    try {
      return this.#replies.getBinary(viewKey(carrier, waybill));
    } catch (err) {
      throw named(this.#path, err);
    }
  }

  position(): ChangeMark {
    const mark = this.#meta.get(POSITION) as ChangeMark | undefined;
    return typeof mark === 'object' && mark !== null ? mark : NO_MARK;
  }

  fill(seenAt: ChangeMark, entries: readonly ViewEntry[]): Promise<boolean> {
    return this.#write(() => {
      if (!sameMark(this.position(), seenAt)) return false;
      for (const e of entries) this.#replies.putSync(viewKey(e.carrier, e.waybill), e.value);
      return true;
    });
  }

  advance(next: ChangeMark, touched: readonly { carrier: string; waybill: string }[]): Promise<boolean> {
    return this.#write(() => {
      const at = this.position();
      if (at.store !== next.store || at.seq >= next.seq) return false;
      for (const t of touched) this.#replies.removeSync(viewKey(t.carrier, t.waybill));
      this.#meta.putSync(POSITION, next);
      return true;
    });
  }

  reset(position: ChangeMark): Promise<void> {
    return this.#write(() => {
      this.#replies.clearSync();
      this.#meta.putSync(POSITION, { store: position.store, seq: position.seq, tag: position.tag });
      this.#meta.removeSync(WARM);
    });
  }

  isWarm(): boolean {
    return this.#meta.get(WARM) === true;
  }

  markWarm(): Promise<void> {
    return this.#write(() => void this.#meta.putSync(WARM, true));
  }

  size(): number {
    return this.#replies.getCount();
  }

  /** One synchronous write transaction; errors as rejections. */
  #write<T>(body: () => T): Promise<T> {
    try {
      if (this.#closed) throw new Error('reply view is closed');
      return Promise.resolve(this.#root.transactionSync(body));
    } catch (err) {
      return Promise.reject(named(this.#path, err));
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#root.close();
  }
}
