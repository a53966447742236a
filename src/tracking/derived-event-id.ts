/**
 * @module
 * The event id of a scan that came without one. Couriers' daily exports rarely have a per-scan id
 * column, yet every event is keyed by (carrier, event_id) so that a re-import is idempotent. What
 * identifies a scan is its waybill, its instant, its scan code and its site: the id is a hash of
 * exactly those, taken after parsing (the instant in epoch milliseconds, so `2026/12/01 08:30:00`
 * in a CSV read in Asia/Shanghai and `2026-12-01T08:30:00+08:00` from a push are the same scan).
 * The same scan from xlsx, CSV or push thus stays one event. Pure.
 */
import { createHash } from 'node:crypto';

/** Prefix of every derived id: tells a derived id from a courier's own, and versions the recipe. */
export const DERIVED_ID_PREFIX = 'd1-';

export interface ScanIdentity {
  readonly waybill: string;
  /** The instant, epoch milliseconds. */
  readonly time: number;
  /** The carrier's scan code when the scan had one, else its order status. */
  readonly code: string | undefined;
  readonly status: number;
  /** The site, when known. */
  readonly location: string | undefined;
}

/**
 * `d1-` and the first 32 hex digits (128 bits) of SHA-256 over
 * `waybill LF time-in-ms LF (code, or "status:N") LF location-or-empty`.
 */
export function derivedEventId(scan: ScanIdentity): string {
  const code = scan.code ?? `status:${scan.status}`;
  const text = `${scan.waybill}\n${scan.time}\n${code}\n${scan.location ?? ''}`;
  return DERIVED_ID_PREFIX + createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 32);
}
