import { describe, expect, it } from 'vitest';
import { parseScanEvent } from './event.js';
import { DEFAULT_EVENT_CODES, defaultEventCodes, parseEventCodeMapping } from './event-codes.js';

const base = {
  waybill: 'YT1234567890123',
  event_id: 'c1',
  time: '2026-07-04T20:47:03+08:00',
  description: '快件已经到达【贵阳】',
};
const opts = { timeZone: 'Asia/Shanghai', codes: defaultEventCodes() };

describe('carrier event codes', () => {
  it('maps a default code to its status and label', () => {
    const r = parseScanEvent({ ...base, code: '到件' }, opts);
    expect(r).toMatchObject({ ok: true, event: { status: 2, label: '运输中' } });
    const s = parseScanEvent({ ...base, code: '驿站入库' }, opts);
    expect(s).toMatchObject({ ok: true, event: { status: 6, label: '驿站代收' } });
  });

  it('ships the documented common scan types', () => {
    for (const code of ['揽收', '到件', '发件', '派件', '签收', '退回', '驿站入库']) {
      expect(DEFAULT_EVENT_CODES[code], code).toBeDefined();
    }
    expect(DEFAULT_EVENT_CODES['签收']!.status).toBe(4);
    expect(DEFAULT_EVENT_CODES['退回']!.status).toBe(5);
    expect(DEFAULT_EVENT_CODES['揽收']!.status).toBe(1);
    expect(DEFAULT_EVENT_CODES['派件']!.status).toBe(3);
  });

  it('lets an explicit label win over the code label', () => {
    const r = parseScanEvent({ ...base, code: '到件', label: '到达' }, opts);
    expect(r).toMatchObject({ ok: true, event: { status: 2, label: '到达' } });
  });

  it('rejects an unknown code, naming it', () => {
    expect(parseScanEvent({ ...base, code: 'XYZ99' }, opts)).toEqual({
      ok: false,
      reason: 'code: unknown event code "XYZ99"',
    });
  });

  it('rejects a code when no mapping is configured', () => {
    expect(parseScanEvent({ ...base, code: '到件' }, { timeZone: 'Asia/Shanghai' })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('到件'),
    });
  });

  it('refuses status and code together', () => {
    expect(parseScanEvent({ ...base, code: '到件', status: 2 }, opts)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('not both'),
    });
  });
});

describe('custom code mapping', () => {
  it('lays entries over the defaults, and null removes one', () => {
    const r = parseEventCodeMapping({ codes: { SCAN_IN: { status: 2, label: '到件' }, 退回: null } });
    if (!r.ok) throw new Error(r.errors.join());
    expect(r.mapping.get('SCAN_IN')).toEqual({ status: 2, label: '到件' });
    expect(r.mapping.get('揽收')).toEqual({ status: 1, label: '已揽件' });
    expect(r.mapping.has('退回')).toBe(false);
  });

  it('replaces the defaults when asked', () => {
    const r = parseEventCodeMapping({ replaceDefaults: true, codes: { A: { status: 4, label: '签' } } });
    if (!r.ok) throw new Error(r.errors.join());
    expect([...r.mapping.keys()]).toEqual(['A']);
  });

  it('reports every bad entry', () => {
    const r = parseEventCodeMapping({
      codes: { A: { status: 9, label: 'x' }, B: { status: 1 }, ' C': { status: 1, label: 'c' } },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toHaveLength(3);
    expect(r.errors[0]).toContain('codes["A"].status');
    expect(r.errors[1]).toContain('codes["B"].label');
  });

  it('rejects a file without a codes object', () => {
    expect(parseEventCodeMapping([]).ok).toBe(false);
    expect(parseEventCodeMapping({ code: {} }).ok).toBe(false);
  });
});
