import { describe, expect, it } from 'vitest';
import { EVENT_LIMITS, parseScanEvent, type ParseEventResult } from './event.js';

const base = (cells: unknown, extra: Record<string, unknown> = {}) => ({
  waybill: 'YT1234567890123',
  event_id: 'scan-1',
  time: '2026-07-04T20:47:03+08:00',
  status: 2,
  description: '快件离开【河北永清县】',
  cells,
  ...extra,
});

const reason = (r: ParseEventResult) => (r.ok ? undefined : r.reason);
const REGISTERED = { timeZone: 'Asia/Shanghai', cellKeys: new Set(['wxpay', 'service']) };

describe('parseScanEvent with registered cell keys', () => {
  it('accepts registered keys', () => {
    const r = parseScanEvent(
      base([
        { key: 'wxpay', value: '已支付' },
        { key: 'service', value: '联系客服' },
      ]),
      REGISTERED,
    );
    expect(r.ok && r.event.cells).toEqual([
      { key: 'wxpay', value: '已支付' },
      { key: 'service', value: '联系客服' },
    ]);
  });

  it('refuses any other key, naming it and its position', () => {
    expect(
      reason(
        parseScanEvent(
          base([
            { key: 'wxpay', value: 'a' },
            { key: 'coupon', value: 'b' },
          ]),
          REGISTERED,
        ),
      ),
    ).toBe('cells[1].key: "coupon" is not registered as a cell key');
  });

  it('refuses every key when the carrier registered none', () => {
    expect(
      reason(
        parseScanEvent(base([{ key: 'wxpay', value: 'a' }]), {
          timeZone: 'Asia/Shanghai',
          cellKeys: new Set(),
        }),
      ),
    ).toBe('cells[0].key: "wxpay" is not registered as a cell key');
  });

  it('checks nothing about keys without a registry (the foundation setup)', () => {
    expect(parseScanEvent(base([{ key: 'anything', value: 'a' }]), { timeZone: 'Asia/Shanghai' }).ok).toBe(
      true,
    );
  });
});

describe('cell and field lengths, in code points', () => {
  const SH = { timeZone: 'Asia/Shanghai' };
  it('allows a 10-character value of astral characters, refuses 11', () => {
    expect(parseScanEvent(base([{ key: 'k', value: '😀'.repeat(10) }]), SH).ok).toBe(true);
    expect(reason(parseScanEvent(base([{ key: 'k', value: '😀'.repeat(11) }]), SH))).toBe(
      'cells[0].value: 11 characters, at most 10',
    );
  });

  it('allows a 20-character key, refuses 21', () => {
    expect(parseScanEvent(base([{ key: 'k'.repeat(20), value: 'v' }]), SH).ok).toBe(true);
    expect(reason(parseScanEvent(base([{ key: 'k'.repeat(21), value: 'v' }]), SH))).toBe(
      'cells[0].key: 21 characters, at most 20',
    );
  });

  it('counts text fields in code points too', () => {
    const max = EVENT_LIMITS.location;
    expect(parseScanEvent(base(undefined, { location: '😀'.repeat(max) }), SH).ok).toBe(true);
    expect(reason(parseScanEvent(base(undefined, { location: '😀'.repeat(max + 1) }), SH))).toBe(
      `location: ${max + 1} characters, at most ${max}`,
    );
  });
});
