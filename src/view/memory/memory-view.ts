/**
 * @module
 * The reply view in process memory: for tests, and for a gateway that must not write a file
 * (`--view memory`). It follows the same contract as the LMDB view but is private to one process,
 * so each worker holds and fills its own copy.
 */
import type { ChangeMark } from '../../store/roles.js';
import { NO_MARK, sameMark } from '../../store/sql/change-feed.js';
import { viewKey, type ReplyView, type ViewEntry } from '../reply-view.js';

export class MemoryReplyView implements ReplyView {
  readonly #entries = new Map<string, Buffer>();
  #position: ChangeMark = NO_MARK;
  #warm = false;
  #closed = false;

  get(carrier: string, waybill: string): Buffer | undefined {
    return this.#entries.get(viewKey(carrier, waybill));
  }

  position(): ChangeMark {
    return this.#position;
  }

  fill(seenAt: ChangeMark, entries: readonly ViewEntry[]): Promise<boolean> {
    return this.#write(() => {
      if (!sameMark(this.#position, seenAt)) return false;
      for (const e of entries) this.#entries.set(viewKey(e.carrier, e.waybill), e.value);
      return true;
    });
  }

  advance(next: ChangeMark, touched: readonly { carrier: string; waybill: string }[]): Promise<boolean> {
    return this.#write(() => {
      if (this.#position.store !== next.store || this.#position.seq >= next.seq) return false;
      for (const t of touched) this.#entries.delete(viewKey(t.carrier, t.waybill));
      this.#position = next;
      return true;
    });
  }

  reset(position: ChangeMark): Promise<void> {
    return this.#write(() => {
      this.#entries.clear();
      this.#position = position;
      this.#warm = false;
    });
  }

  isWarm(): boolean {
    return this.#warm;
  }

  markWarm(): Promise<void> {
    return this.#write(() => void (this.#warm = true));
  }

  size(): number {
    return this.#entries.size;
  }

  #write<T>(body: () => T): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('reply view is closed'));
    return Promise.resolve(body());
  }

  close(): Promise<void> {
    this.#closed = true;
    this.#entries.clear();
    return Promise.resolve();
  }
}
