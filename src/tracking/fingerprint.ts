/**
 * @module
 * An event's content fingerprint: what makes a re-sent event a harmless duplicate rather than a
 * conflicting rewrite of history. Two events with the same `event_id` are duplicates when their
 * fingerprints match; otherwise the second is a conflict and the first version stays.
 *
 * It hashes the event after validation (times as epoch ms, codes resolved to status and label),
 * so `+08:00` and `Z` spellings of the same instant are the same event. Pure: hashing is no I/O.
 */
import * as crypto from 'node:crypto';
import type { ScanEvent } from './event.js';

/**
 * Base64url SHA-256 over the event's fields, in a fixed order, `event_id` excluded. The personal
 * fields (privacy/) count only when an event has one, so every fingerprint stored before them
 * stays the same.
 */
export function eventFingerprint(e: ScanEvent): string {
  return sha256(contentText(e));
}

/**
 * Whether two events have the same content, `event_id` excluded: the fingerprints' equality,
 * without hashing (a store that keeps no fingerprint compares a re-sent event with its row).
 */
export function sameEventContent(a: ScanEvent, b: ScanEvent): boolean {
  return contentText(a) === contentText(b);
}

/** The text a fingerprint hashes. */
function contentText(e: ScanEvent): string {
  const fields: unknown[] = [
    e.waybill,
    e.time,
    e.status,
    e.label,
    e.description,
    e.location ?? null,
    e.eta ?? null,
    e.cells === undefined
      ? null
      : e.cells.map((c) => (c.status === undefined ? [c.key, c.value] : [c.key, c.value, c.status])),
  ];
  if (e.recipientName !== undefined || e.recipientPhone !== undefined || e.pickupCode !== undefined) {
    fields.push(['personal', e.recipientName ?? null, e.recipientPhone ?? null, e.pickupCode ?? null]);
  }
  return JSON.stringify(fields);
}

// One-shot `crypto.hash` (Node >= 20.12) allocates no Hash object per event on the bulk path;
// older Node 20 releases take the classic route.
const sha256: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text).digest('base64url');
