/**
 * @module
 * The carrier's debugging view of one waybill (`GET /v1/waybills/:waybill`): exactly what WeChat
 * would be served, the attributes set through the API, and every raw event with its ingest time.
 */
import type { WaybillRecord } from '../../store/store.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function waybillView(rec: WaybillRecord): Record<string, unknown> {
  return {
    carrier: rec.carrier,
    waybill: rec.waybill,
    /** The OrderInfo inside `WxOrderCb(...)`, as stored. */
    wechat: JSON.parse(rec.replyJson) as unknown,
    attributes: {
      eta: rec.attributes.eta ?? null,
      cells: rec.attributes.cells ?? null,
      destination: rec.attributes.destination ?? null,
    },
    last_event_at: rec.lastEventAt === 0 ? null : iso(rec.lastEventAt),
    updated_at: iso(rec.updatedAt),
    events: rec.events.map((e) => ({
      seq: e.seq,
      event_id: e.eventId,
      time: iso(e.time),
      status: e.status,
      label: e.label,
      description: e.description,
      location: e.location ?? null,
      eta: e.eta ?? null,
      cells: e.cells ?? null,
      ingested_at: iso(e.ingestedAt),
    })),
  };
}
