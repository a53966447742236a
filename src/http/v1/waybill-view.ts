/**
 * @module
 * The carrier's debugging view of one waybill (`GET /v1/waybills/:waybill`): exactly what WeChat
 * would be served (rendered from the same read), the attributes set through the API, and every
 * raw event with its ingest time.
 */
import type { WaybillState } from '../../store/roles.js';

const iso = (ms: number): string => new Date(ms).toISOString();

export function waybillView(
  carrier: string,
  waybill: string,
  state: WaybillState,
  replyJson: string,
): Record<string, unknown> {
  return {
    carrier,
    waybill,
    /** The OrderInfo inside `WxOrderCb(...)`, rendered from the events below. */
    wechat: JSON.parse(replyJson) as unknown,
    attributes: {
      eta: state.attributes.eta ?? null,
      cells: state.attributes.cells ?? null,
      destination: state.attributes.destination ?? null,
    },
    last_event_at: state.lastEventAt === 0 ? null : iso(state.lastEventAt),
    updated_at: iso(state.updatedAt),
    events: state.events.map((e) => ({
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
