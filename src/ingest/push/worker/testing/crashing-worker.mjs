// A stand-in push worker for tests: says it is ready, then dies on the first push it is handed,
// the way a worker killed by a fatal error would.
import { parentPort } from 'node:worker_threads';

parentPort.postMessage({ type: 'ready' });
parentPort.on('message', (message) => {
  if (message.type === 'push') process.exit(3);
});
