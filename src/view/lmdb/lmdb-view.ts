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
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open, type Database, type RootDatabase } from 'lmdb';
import type { ChangeMark } from '../../store/roles.js';
import { NO_MARK, sameMark } from '../../store/sql/change-feed.js';
import { viewKey, type ReplyView, type ViewEntry } from '../reply-view.js';

export interface LmdbViewOptions {
  /** The view's file; LMDB adds `PATH-lock` beside it. */
  readonly path: string;
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

/** Deletes a view file written before the last reboot: with noSync it may be torn. */
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
    if (existsSync(path)) {
      rmSync(path, { force: true });
      rmSync(path + '-lock', { force: true });
    }
    writeFileSync(marker, current + '\n');
  }
}

export class LmdbReplyView implements ReplyView {
  readonly #root: RootDatabase;
  readonly #replies: Database<Buffer, string>;
  readonly #meta: Database<unknown, string>;
  #closed = false;

  constructor(options: LmdbViewOptions) {
    discardIfFromAnotherBoot(options.path);
    this.#root = open({ path: options.path, noSubdir: true, maxDbs: 4, noSync: true, compression: false });
    this.#replies = this.#root.openDB<Buffer, string>({
      name: 'replies',
      encoding: 'binary',
      compression: false,
    });
    this.#meta = this.#root.openDB<unknown, string>({ name: 'meta', encoding: 'json', compression: false });
  }

  get(carrier: string, waybill: string): Buffer | undefined {
    return this.#replies.getBinary(viewKey(carrier, waybill));
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
      return Promise.reject(err);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#root.close();
  }
}
