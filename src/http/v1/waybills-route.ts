/**
 * @module
 * The waybill API for the courier's own systems, scoped to the API key's carrier:
 *
 * - `PUT /v1/waybills/:waybill` sets `eta`, `cells` and `destination` without a scan (a field
 *   left out is kept, `null` clears it); WeChat's next reply shows them;
 * - `GET` returns the debugging view as plain JSON, with no CORS headers: it is for servers, and
 *   a browser on another origin must not read it;
 * - `DELETE` erases the waybill and its events (personal-data erasure under PIPL);
 * - `PUT` / `DELETE /v1/waybills/:waybill/owners` bind and unbind an owner (owners-route.ts).
 */
import type { FastifyInstance } from 'fastify';
import { ApiErrors } from '../../api/api-errors.js';
import type { WaybillAttributesPatch } from '../../store/store.js';
import { EVENT_LIMITS, parseCells } from '../../tracking/event.js';
import { isCalendarDate } from '../../tracking/time.js';
import { apiKeyOf, sendApiError, type V1Deps } from './api-context.js';
import { registerOwnerRoutes } from './owners-route.js';
import { waybillView } from './waybill-view.js';

const WAYBILL_RE = /^[\x21-\x7e]{1,64}$/;
const DESTINATION_MAX = 128;

/** Validates a PUT body; a string is the reason it is refused (names the field, echoes no value). */
export function parseAttributesPatch(
  body: unknown,
  cellKeys: ReadonlySet<string> | undefined,
): WaybillAttributesPatch | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'body must be a JSON object';
  const o = body as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => k !== 'eta' && k !== 'cells' && k !== 'destination');
  if (unknown.length > 0)
    return `unknown field(s) ${unknown.slice(0, 5).join(', ')}; allowed: eta, cells, destination`;
  if (!('eta' in o) && !('cells' in o) && !('destination' in o))
    return 'give at least one of eta, cells, destination';
  const patch: { -readonly [K in keyof WaybillAttributesPatch]: WaybillAttributesPatch[K] } = {};
  if ('eta' in o) {
    if (o.eta !== null && (typeof o.eta !== 'string' || !isCalendarDate(o.eta)))
      return 'eta: YYYY-MM-DD or null';
    patch.eta = o.eta as string | null;
  }
  if ('cells' in o) {
    if (o.cells === null) patch.cells = null;
    else {
      const cells = parseCells(o.cells, cellKeys);
      if (typeof cells === 'string') return cells;
      patch.cells = cells;
    }
  }
  if ('destination' in o) {
    const d = o.destination;
    if (d !== null && (typeof d !== 'string' || d.trim() === '' || d.length > DESTINATION_MAX)) {
      return `destination: 1 to ${DESTINATION_MAX} characters, or null`;
    }
    patch.destination = d === null ? null : d.trim();
  }
  return patch;
}

export function registerWaybillRoutes(api: FastifyInstance, deps: V1Deps): void {
  const { store, render, afterWrite } = deps;
  /** The debugging view of a waybill, read in one statement and rendered as WeChat gets it. */
  const viewOf = async (carrier: string, waybill: string) => {
    const state = await store.readWaybill(carrier, waybill);
    return state && waybillView(carrier, waybill, state, render.render(carrier, state));
  };
  const waybillOf = (params: unknown): string | undefined => {
    const w = (params as { waybill?: string }).waybill;
    return w !== undefined && WAYBILL_RE.test(w) && w.length <= EVENT_LIMITS.waybill ? w : undefined;
  };

  api.get('/waybills/:waybill', async (request, reply) => {
    const waybill = waybillOf(request.params);
    if (waybill === undefined) return sendApiError(reply, ApiErrors.BAD_WAYBILL);
    const view = await viewOf(apiKeyOf(request).carrier, waybill);
    if (!view) return sendApiError(reply, ApiErrors.WAYBILL_NOT_FOUND);
    return reply.header('cache-control', 'no-store').send(view);
  });

  api.put('/waybills/:waybill', async (request, reply) => {
    const waybill = waybillOf(request.params);
    if (waybill === undefined) return sendApiError(reply, ApiErrors.BAD_WAYBILL);
    const patch = parseAttributesPatch(request.body, deps.cellKeysOf(apiKeyOf(request).carrier));
    if (typeof patch === 'string') return sendApiError(reply, ApiErrors.BAD_ATTRIBUTES, patch);
    const carrier = apiKeyOf(request).carrier;
    try {
      await store.setAttributes(carrier, waybill, patch);
    } finally {
      await afterWrite();
    }
    const view = await viewOf(carrier, waybill);
    // Erased between the write and the read by another writer: it is gone.
    if (!view) return sendApiError(reply, ApiErrors.WAYBILL_NOT_FOUND);
    return reply.header('cache-control', 'no-store').send(view);
  });

  api.delete('/waybills/:waybill', async (request, reply) => {
    const waybill = waybillOf(request.params);
    if (waybill === undefined) return sendApiError(reply, ApiErrors.BAD_WAYBILL);
    let removed;
    try {
      removed = await store.deleteWaybill(apiKeyOf(request).carrier, waybill);
    } finally {
      await afterWrite();
    }
    if (!removed) return sendApiError(reply, ApiErrors.WAYBILL_NOT_FOUND);
    return reply.header('cache-control', 'no-store').send({ erased: removed });
  });

  registerOwnerRoutes(api, deps, waybillOf);
}
