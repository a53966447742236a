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
 *
 * The reply is bounded, whatever the batch (ingest/push/push-reply.ts).
 */
import type { FastifyInstance } from 'fastify';
import { ApiErrors } from '../../api/api-errors.js';
import type { PushBody } from '../../ingest/push/push-body.js';
import { BODY_LIMIT_RANGE } from '../../config/byte-size.js';
import { apiKeyOf, CARRIER_BODY_LIMIT, sendApiError, type V1Deps } from './api-context.js';

export { ndjsonItems } from '../../ingest/push/push-body.js';

export function registerEventsRoute(api: FastifyInstance, deps: V1Deps): void {
  // Fastify's limit is the largest a carrier may have; the sender's own is held in api-plugin.ts.
  const bodyLimit = Math.max(deps.bodyLimitBytes, BODY_LIMIT_RANGE.max);
  api.post('/events', { bodyLimit, config: CARRIER_BODY_LIMIT }, async (request, reply) => {
    const key = apiKeyOf(request);
    // The body stays bytes here (see api-plugin.ts): the push ingestor decodes, validates and
    // stores it off the thread that answers WeChat's queries, and hands back the finished reply.
    const body = request.body as PushBody | undefined;
    if (body === undefined || !(body.bytes instanceof Uint8Array)) {
      return sendApiError(reply, ApiErrors.NOT_AN_ARRAY);
    }
    const cellKeys = deps.cellKeysOf(key.carrier);
    const waybill = deps.waybillRuleOf(key.carrier);
    const cellLinks = deps.cellLinksOf?.(key.carrier);
    const outcome = await deps.ingestor.push({
      carrier: key.carrier,
      body,
      rules: {
        timeZone: deps.timeZoneOf(key.carrier),
        codes: deps.eventCodesOf?.(key.carrier) ?? deps.eventCodes,
        ...(cellKeys === undefined ? {} : { cellKeys }),
        ...(waybill === undefined ? {} : { waybill }),
        ...(cellLinks === undefined ? {} : { cellLinks }),
      },
    });
    if (!outcome.ok) {
      return sendApiError(reply, outcome.error === 'bad-json' ? ApiErrors.BAD_JSON : ApiErrors.NOT_AN_ARRAY);
    }
    deps.metrics?.ingested(outcome.counts);
    return reply
      .code(outcome.statusCode)
      .header('cache-control', 'no-store')
      .type('application/json; charset=utf-8')
      .send(outcome.body);
  });
}
