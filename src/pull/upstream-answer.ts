/**
 * @module
 * What an upstream reply means, once read: a parcel's traces and status, "no such waybill", or
 * a refusal (bad signature, quota, the upstream's own error). Mappers (map-*.ts) produce it from
 * decoded JSON without trusting a single type in it; pulled-reply.ts renders it.
 */
import type { OrderStatus } from '../protocol/order-info.js';

/**
 * Personal data an upstream gives as fields of its own (the generic mapping's `recipientName`,
 * `recipientPhone`, `pickupCode`), as text not yet checked: pulled-reply.ts keeps a value only
 * when it passes the checks of a pushed event's field (privacy/personal-fields.ts).
 */
export interface UpstreamPersonal {
  readonly recipientName?: string;
  readonly recipientPhone?: string;
  readonly pickupCode?: string;
}

/** One trace as an upstream wrote it, types already checked, text not yet cleaned. */
export interface UpstreamTrace {
  /** The upstream's time text, read in the carrier's zone when it has no offset. */
  readonly time: string;
  readonly text: string;
  readonly place?: string;
  /** This trace's own status, when the upstream gives one. */
  readonly status?: OrderStatus;
  /** This trace's personal fields: drawn after its text for owners, masked for strangers. */
  readonly personal?: UpstreamPersonal;
}

export type UpstreamAnswer =
  | {
      readonly kind: 'found';
      readonly status: OrderStatus;
      /** In the upstream's order. */
      readonly traces: readonly UpstreamTrace[];
      readonly order: 'oldest-first' | 'newest-first';
      /** A date or date-time text; its `YYYY-MM-DD` is used when it is a real date. */
      readonly eta?: string;
      /** A status code the tables did not know (counted, then the fallback status is used). */
      readonly unmapped?: boolean;
      /**
       * The waybill's personal fields (not a trace's): drawn nowhere, but hidden from strangers
       * wherever a trace's text repeats them.
       */
      readonly personal?: UpstreamPersonal;
    }
  | { readonly kind: 'unknown' }
  /** The upstream answered but refused (its own error code): a failure, never shown. */
  | { readonly kind: 'refused' }
  /** Not the shape the mapping expects: a failure, never shown. */
  | { readonly kind: 'garbage' };

/** A string or a finite number as text; anything else is absent. */
export function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
