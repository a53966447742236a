import { ManualClock } from '../../clock/clock.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { InlineIngestor } from './inline-ingestor.js';
import { pushIngestorContract } from './push-ingestor.case.test.js';

pushIngestorContract('inline', (path) => {
  const store = new SqliteStore({
    path,
    clock: new ManualClock(0),
  });
  const ingestor = new InlineIngestor(store);
  return Promise.resolve({
    push: (request) => ingestor.push(request),
    close: async () => {
      await ingestor.close();
      await store.close();
    },
  });
});
