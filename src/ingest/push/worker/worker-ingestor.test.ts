/**
 * The worker ingestor runs the built worker (dist/; `npm test` builds first): the contract suite,
 * then what only a thread of its own can get wrong: starting, crashing, telling the cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { openStore } from '../../../backends/open-backends.js';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultEventCodes } from '../../../tracking/event-codes.js';
import { pushIngestorContract } from '../push-ingestor.case.test.js';
import type { PushRequest } from '../push-ingestor.js';
import { WorkerIngestor } from './worker-ingestor.js';

/** A new, empty database: the worker opens an existing one, as `serve` hands it over. */
async function created(name: string): Promise<string> {
  const path = join(dir, name);
  await (await openStore({ kind: 'sqlite', path }, { create: true })).close();
  return path;
}

const BUILT = new URL('../../../../dist/ingest/push/worker/ingest-worker.js', import.meta.url);
const CRASHING = new URL('./testing/crashing-worker.mjs', import.meta.url);

pushIngestorContract('worker', (path) =>
  WorkerIngestor.start({ store: { kind: 'sqlite', path }, workerUrl: BUILT }),
);

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const push = (events: unknown[]): PushRequest => ({
  carrier: 'default',
  body: { format: 'json', bytes: Buffer.from(JSON.stringify(events)) },
  rules: { timeZone: 'Asia/Shanghai', codes: defaultEventCodes() },
});
const event = (waybill: string, id: string) => ({
  waybill,
  event_id: id,
  time: '2026-07-04T20:47:03+08:00',
  status: 2,
  description: '派件中',
});

describe('WorkerIngestor', () => {
  it('refuses to start when the worker cannot open the store', async () => {
    // A folder is no database file.
    await expect(
      WorkerIngestor.start({ store: { kind: 'sqlite', path: dir }, workerUrl: BUILT }),
    ).rejects.toThrow(/push worker could not open the store/);
  });

  it('tells the cache exactly the waybills a push changed, before the push is answered', async () => {
    const told: string[] = [];
    const ingestor = await WorkerIngestor.start({
      store: { kind: 'sqlite', path: await created('told.db') },
      workerUrl: BUILT,
      onStored: (carrier, waybills) => void told.push(...waybills.map((w) => `${carrier}/${w}`)),
    });
    try {
      await ingestor.push(push([event('YT1', 'a'), event('YT2', 'b'), event('YT1', 'c')]));
      expect(told.sort()).toEqual(['default/YT1', 'default/YT2']);
      told.length = 0;
      // A duplicate changes nothing; a new event changes only its own waybill.
      await ingestor.push(push([event('YT1', 'a'), event('YT3', 'd')]));
      expect(told).toEqual(['default/YT3']);
    } finally {
      await ingestor.close();
    }
  });

  it('fails the pushes in flight when the worker dies, and starts a new worker for the next', async () => {
    const crashes: Error[] = [];
    const ingestor = await WorkerIngestor.start({
      store: { kind: 'sqlite', path: await created('crash.db') },
      workerUrl: CRASHING,
      onCrash: (err) => crashes.push(err),
    });
    try {
      await expect(ingestor.push(push([event('YT1', 'a')]))).rejects.toThrow(/push worker stopped/);
      expect(crashes).toHaveLength(1);
      // The next push is handed to a new worker (which dies too: it is the same stand-in).
      await expect(ingestor.push(push([event('YT1', 'a')]))).rejects.toThrow(/push worker stopped/);
      expect(crashes).toHaveLength(2);
    } finally {
      await ingestor.close();
    }
  });

  it('refuses pushes once closed', async () => {
    const ingestor = await WorkerIngestor.start({
      store: { kind: 'sqlite', path: await created('closed.db') },
      workerUrl: BUILT,
    });
    await ingestor.close();
    await expect(ingestor.push(push([event('YT1', 'a')]))).rejects.toThrow(/closed/);
  });
});
