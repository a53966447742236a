/**
 * @module
 * The push ingestor that stores on the calling thread, through the gateway's own store, and runs
 * the gateway's after-write hook (the reply view catches up) before the push is answered. For
 * tests and for an in-memory database, which a worker thread cannot open; a file database is
 * pushed to through `worker/worker-ingestor.ts`, so a big push never stalls the serving thread.
 */
import type { EventLog } from '../../store/roles.js';
import { storePush, type PushIngestor, type PushOutcome, type PushRequest } from './push-ingestor.js';

export class InlineIngestor implements PushIngestor {
  readonly #store: Pick<EventLog, 'append'>;
  readonly #afterWrite: () => Promise<void>;

  constructor(store: Pick<EventLog, 'append'>, afterWrite: () => Promise<void> = () => Promise.resolve()) {
    this.#store = store;
    this.#afterWrite = afterWrite;
  }

  async push(request: PushRequest): Promise<PushOutcome> {
    try {
      return await storePush(this.#store, request);
    } finally {
      await this.#afterWrite();
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
