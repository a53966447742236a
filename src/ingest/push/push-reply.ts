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
import { tally, warningCount, type EventResult } from '../ingest-batch.js';

/** Most results one push reply lists. */
export const RESULTS_CAP = 1000;

export interface PushReply {
  readonly statusCode: 200 | 207;
  /** `application/json` body. */
  readonly body: string;
  /** The whole batch's tally, for metrics. */
  readonly counts: ReturnType<typeof tally>;
}

/**
 * The reply is bounded, whatever the batch: a batch of at most {@link RESULTS_CAP} events lists
 * every result; a larger one lists only its rejected events, the first {@link RESULTS_CAP} of
 * them, and says `truncated: true` with `results_omitted`, the number of events not listed. The
 * counts always cover the whole batch. (Two MiB of one-character lines once made an 87 MB reply.)
 */
export function pushReply(results: readonly EventResult[]): PushReply {
  const counts = tally(results);
  const truncated = results.length > RESULTS_CAP;
  const listed = truncated ? results.filter((r) => r.result === 'rejected').slice(0, RESULTS_CAP) : results;
  // Stored events with a warning (a cell status that repeats its link): counted always, and named
  // on each listed result; a truncated reply lists rejections only.
  const warnings = warningCount(results);
  return {
    statusCode: counts.rejected > 0 ? 207 : 200,
    counts,
    body: JSON.stringify({
      ...counts,
      ...(warnings > 0 ? { warnings } : {}),
      ...(truncated ? { truncated: true, results_omitted: results.length - listed.length } : {}),
      results: listed.map((r) =>
        r.result === 'rejected'
          ? { index: r.index, event_id: r.eventId, result: r.result, code: r.code, reason: r.reason }
          : r.warning === undefined
            ? { index: r.index, event_id: r.eventId, result: r.result }
            : { index: r.index, event_id: r.eventId, result: r.result, warning: r.warning },
      ),
    }),
  };
}
