/**
 * @module
 * The messages between the serving thread and the push worker. Plain data only (structured
 * clone): the body goes in as bytes (transferred, not copied), and the outcome comes back as one
 * reply string and one string of waybills, which cost the serving thread a copy, not a parse.
 */
import type { StoreSpec } from '../../../config/store-settings.js';
import type { IngestRules } from '../../ingest-batch.js';
import type { PushBody } from '../push-body.js';

/**
 * What the worker needs to open its own store connection: the configured store (never a SQLite
 * `:memory:` database, which another thread cannot open).
 */
export type WorkerStoreSpec = StoreSpec;

export type ToWorker =
  | {
      readonly type: 'push';
      readonly id: number;
      readonly carrier: string;
      readonly body: PushBody;
      readonly rules: IngestRules;
    }
  | { readonly type: 'close' };

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | {
      readonly type: 'done';
      readonly id: number;
      readonly statusCode: 200 | 207;
      readonly body: string;
      readonly accepted: number;
      readonly counts: { readonly accepted: number; readonly duplicates: number; readonly rejected: number };
      /** The touched waybills joined by `\n` (waybills are printable ASCII). */
      readonly waybills: string;
    }
  | { readonly type: 'refused'; readonly id: number; readonly error: 'bad-json' | 'not-an-array' }
  | { readonly type: 'error'; readonly id: number; readonly message: string }
  | { readonly type: 'closed' };
