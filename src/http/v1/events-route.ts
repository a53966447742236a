/**
 * @module
 * `POST /v1/events`: the push API. The body is a JSON array of events
 * (`application/json`) or one event per line (`application/x-ndjson`).
 *
 * The reply lists one result per event, in order: `accepted`, `duplicate`, or `rejected` with a
 * `code` and `reason`. Status: **200** when nothing was rejected, **207** (Multi-Status) when at
 * least one event was rejected, whatever happened to the others; the body is the same shape in
 * both. A sender retries a 207 by fixing only the rejected events: the rest are stored, and
 * re-sending them is harmless (`duplicate`).
 */
import type { FastifyInstance } from 'fastify';
import { ApiErrors } from '../../api/api-errors.js';
import { ingestItems, tally, type IngestItem } from '../../ingest/ingest-batch.js';
import { apiKeyOf, sendApiError, type V1Deps } from './api-plugin.js';

/** NDJSON text to items; blank lines are skipped and do not take an index. */
export function ndjsonItems(text: string): IngestItem[] {
  const items: IngestItem[] = [];
  let start = 0;
  // Strip one UTF-8 BOM a Windows export may lead with.
  if (text.charCodeAt(0) === 0xfeff) start = 1;
  while (start <= text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (line === '') continue;
    try {
      items.push({ value: JSON.parse(line) as unknown });
    } catch {
      items.push({ undecodable: 'not valid JSON' });
    }
  }
  return items;
}

export function registerEventsRoute(api: FastifyInstance, deps: V1Deps): void {
  api.post('/events', { bodyLimit: deps.bodyLimitBytes }, async (request, reply) => {
    const key = apiKeyOf(request);
    const body = request.body;
    let items: IngestItem[];
    if (typeof body === 'string') items = ndjsonItems(body);
    else if (Array.isArray(body)) items = body.map((value: unknown) => ({ value }));
    else return sendApiError(reply, ApiErrors.NOT_AN_ARRAY);

    const cellKeys = deps.cellKeysOf(key.carrier);
    const waybill = deps.waybillRuleOf(key.carrier);
    const results = await ingestItems(deps.store, key.carrier, items, {
      timeZone: deps.timeZoneOf(key.carrier),
      codes: deps.eventCodes,
      ...(cellKeys === undefined ? {} : { cellKeys }),
      ...(waybill === undefined ? {} : { waybill }),
    });
    const counts = tally(results);
    return reply
      .code(counts.rejected > 0 ? 207 : 200)
      .header('cache-control', 'no-store')
      .send({
        ...counts,
        results: results.map((r) =>
          r.result === 'rejected'
            ? { index: r.index, event_id: r.eventId, result: r.result, code: r.code, reason: r.reason }
            : { index: r.index, event_id: r.eventId, result: r.result },
        ),
      });
  });
}
