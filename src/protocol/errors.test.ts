/**
 * @module
 * The catalog is a wire contract: couriers alert on `err_code`, WeChat's reviewers read
 * `err_msg`, and a `<script>` client reads only a 200. Every entry is pinned here, so a changed
 * code, message or status is a deliberate edit of this table, never an accident.
 */
import { describe, expect, it } from 'vitest';
import { Errors } from './errors.js';

describe('the error catalog', () => {
  it('holds exactly these entries, with these codes, messages and HTTP statuses', () => {
    expect(
      Object.fromEntries(Object.entries(Errors).map(([name, e]) => [name, [e.code, e.message, e.status]])),
    ).toEqual({
      OK: [0, 'ok', 200],
      BAD_SIGNATURE: [40001, 'bad signature', 200],
      TIMESTAMP_WINDOW: [40002, 'timestamp outside the window', 200],
      REPLAYED: [40003, 'signature replayed for another orderid/openid', 200],
      BAD_PARAMETER: [40004, 'missing or malformed parameter', 200],
      UNKNOWN_CARRIER: [40005, 'unknown company_id or ambiguous waybill', 200],
      UNKNOWN_WAYBILL: [40401, 'unknown waybill', 200],
      PATTERN_MISMATCH: [40402, "orderid does not match the carrier's waybill pattern", 200],
      RATE_LIMITED: [42901, 'too many queries; retry later', 200],
      INTERNAL: [50001, 'internal error', 200],
      BAD_CALLBACK: [40000, 'callback missing or not allowed', 400],
    });
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(Errors)).toBe(true);
    for (const e of Object.values(Errors)) expect(Object.isFrozen(e)).toBe(true);
  });
});
