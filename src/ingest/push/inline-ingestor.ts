/**
 * @module
 * The push ingestor that stores on the calling thread, through the gateway's own store (whose
 * reply cache, if any, then forgets the touched waybills itself). For tests and for an
 * in-memory database, which a worker thread cannot open; a file database is pushed to through
 * `worker/worker-ingestor.ts`, so a big push never stalls the serving thread.
 */
import type { Store } from '../../store/store.js';
import { storePush, type PushIngestor, type PushOutcome, type PushRequest } from './push-ingestor.js';

export class InlineIngestor implements PushIngestor {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  push(request: PushRequest): Promise<PushOutcome> {
    return storePush(this.#store, request);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
