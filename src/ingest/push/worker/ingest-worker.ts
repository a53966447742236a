/**
 * @module
 * The push worker's thread: opens its own store connection (worker-store.ts), says `ready` (or
 * `failed`, and the gateway refuses to start), then stores each push it is handed with the same
 * code as the inline ingestor ({@link storePush}) and posts back the finished reply.
 *
 * A store error fails that push only (`error`: the sender gets a 5xx); anything that kills the
 * thread fails every push in flight (worker-ingestor.ts watches for the exit).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Store } from '../../../store/store.js';
import { storePush } from '../push-ingestor.js';
import type { FromWorker, ToWorker, WorkerStoreSpec } from './worker-protocol.js';
import { openWorkerStore } from './worker-store.js';

const port = parentPort;
if (!port) throw new Error('ingest-worker.js runs as a worker thread');
const post = (message: FromWorker) => port.postMessage(message);

let store: Store;
try {
  store = await openWorkerStore(workerData as WorkerStoreSpec);
  await store.ping();
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'failed', message: (err as Error).message });
  process.exit(1);
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'close') {
    void store.close().then(() => {
      post({ type: 'closed' });
      port.close();
    });
    return;
  }
  const { id } = message;
  storePush(store, { carrier: message.carrier, body: message.body, rules: message.rules }).then(
    (outcome) =>
      post(
        outcome.ok
          ? {
              type: 'done',
              id,
              statusCode: outcome.statusCode,
              body: outcome.body,
              accepted: outcome.accepted,
              counts: outcome.counts,
              waybills: outcome.waybills.join('\n'),
            }
          : { type: 'refused', id, error: outcome.error },
      ),
    (err: unknown) => post({ type: 'error', id, message: (err as Error).message }),
  );
});
