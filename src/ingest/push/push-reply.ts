/**
 * @module
 * The reply to `POST /v1/events`, built where the push is stored. It lists one result per event,
 * in order: `accepted`, `duplicate`, or `rejected` with a `code` and `reason`. Status: **200**
 * when nothing was rejected, **207** (Multi-Status) when at least one event was rejected; the body
 * is the same shape in both.
 *
 * Built as JSON text, because the push ingestor builds it off the serving thread: handing tens
 * of thousands of result objects back to that thread would cost it more (structured clone) than
 * the whole push saves.
 */
import { tally, type EventResult } from '../ingest-batch.js';

export interface PushReply {
  readonly statusCode: 200 | 207;
  /** `application/json` body. */
  readonly body: string;
}

export function pushReply(results: readonly EventResult[]): PushReply {
  const counts = tally(results);
  return {
    statusCode: counts.rejected > 0 ? 207 : 200,
    body: JSON.stringify({
      ...counts,
      results: results.map((r) =>
        r.result === 'rejected'
          ? { index: r.index, event_id: r.eventId, result: r.result, code: r.code, reason: r.reason }
          : { index: r.index, event_id: r.eventId, result: r.result },
      ),
    }),
  };
}
