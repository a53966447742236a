/**
 * @module
 * The push ingestor: what `POST /v1/events` hands a push to. One interface, two implementations
 * that run the shared contract suite (`push-ingestor.case.test.ts`):
 *
 * - `inline-ingestor.ts`: on the calling thread, through the gateway's own store (tests, and an
 *   in-memory database, which no other thread can open);
 * - `worker/worker-ingestor.ts`: in a worker thread with its own store connection. A 50,000-event
 *   push held WeChat's queries back by up to 1.5 s when decoding, validating, storing and
 *   rendering ran on the serving thread (issue 8); there, the serving thread only passes bytes in
 *   and a finished reply out.
 *
 * {@link storePush} is the work itself, shared by both, so they cannot drift apart.
 */
import type { EventLog } from '../../store/roles.js';
import { ingestItems, type IngestRules, type EventResult } from '../ingest-batch.js';
import { pushItems, type PushBody } from './push-body.js';
import { pushReply, type PushReply } from './push-reply.js';

export interface PushRequest {
  /** The carrier of the API key that sent it. */
  readonly carrier: string;
  readonly body: PushBody;
  readonly rules: IngestRules;
}

export type PushOutcome =
  | {
      readonly ok: true;
      readonly statusCode: 200 | 207;
      /** The reply body, `application/json`. */
      readonly body: string;
      readonly accepted: number;
      /** The whole batch's tally, for metrics. */
      readonly counts: PushReply['counts'];
      /** Waybills whose events changed: a reply cache must forget exactly these. */
      readonly waybills: readonly string[];
    }
  /** Refused whole, nothing stored. */
  | { readonly ok: false; readonly error: 'bad-json' | 'not-an-array' };

export interface PushIngestor {
  /** Stores a push; rejects (a 5xx for the sender) when it could not be stored. */
  push(request: PushRequest): Promise<PushOutcome>;
  /** Finishes pushes in flight and releases the ingestor. */
  close(): Promise<void>;
}

/**
 * Events per store call. Each call is one transaction: bounded, so another writer (the waybill
 * API, an `import` beside `serve`) waits for one slice of a big push, never for all of it. A push
 * that fails part-way keeps the slices already committed; the sender's retry sees them as
 * `duplicate`, which the push API documents as harmless.
 */
export const PUSH_SLICE = 5_000;

/** Decodes, validates and stores one push through `store`, and builds its reply. */
export async function storePush(store: Pick<EventLog, 'append'>, request: PushRequest): Promise<PushOutcome> {
  const parsed = pushItems(request.body);
  if (!parsed.ok) return parsed;
  const { items } = parsed;
  const stored = new Set<string>();
  const results: EventResult[] = [];
  for (let from = 0; from < items.length; from += PUSH_SLICE) {
    const slice = items.slice(from, from + PUSH_SLICE);
    results.push(...(await ingestItems(store, request.carrier, slice, request.rules, from, stored)));
  }
  const reply = pushReply(results);
  let accepted = 0;
  for (const r of results) if (r.result === 'accepted') accepted++;
  return { ok: true, ...reply, accepted, waybills: [...stored] };
}
