import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csvRowToEvent, planColumns } from '../ingest/sources/csv-columns.js';
import { derivedEventId } from './derived-event-id.js';
import { defaultEventCodes } from './event-codes.js';
import { parseScanEvent, type ParseEventResult } from './event.js';

const rules = { timeZone: 'Asia/Shanghai', codes: defaultEventCodes() };
const ok = (r: ParseEventResult) => {
  if (!r.ok) throw new Error(r.reason);
  return r.event;
};
const someCode = [...defaultEventCodes().keys()][0]!;

describe('an event without an id', () => {
  it('gets the documented id: d1- and 32 hex digits of SHA-256 over waybill, ms, code, site', () => {
    // The recipe, computed independently.
    const expected = createHash('sha256').update('YT1\n0\n揽收\n上海', 'utf8').digest('hex').slice(0, 32);
    expect(derivedEventId({ waybill: 'YT1', time: 0, code: '揽收', status: 1, location: '上海' })).toBe(
      `d1-${expected}`,
    );
    const bare = createHash('sha256').update('YT1\n0\nstatus:1\n', 'utf8').digest('hex').slice(0, 32);
    expect(derivedEventId({ waybill: 'YT1', time: 0, code: undefined, status: 1, location: undefined })).toBe(
      `d1-${bare}`,
    );
  });

  it('is the same for the same scan from a CSV export and from a push, and differs for another scan', () => {
    const plan = planColumns(['运单号', '扫描时间', '扫描类型', '扫描网点', '备注'], {
      waybill: '运单号',
      time: '扫描时间',
      code: '扫描类型',
      location: '扫描网点',
      description: '备注',
    });
    if (!plan.ok) throw new Error(plan.error);
    const fromCsv = ok(
      parseScanEvent(
        csvRowToEvent(['YT1234567890123', '2026/12/01 08:30:00', someCode, '上海转运中心', ''], plan.fields),
        rules,
      ),
    );
    const fromPush = ok(
      parseScanEvent(
        {
          waybill: 'YT1234567890123',
          time: '2026-12-01T00:30:00Z',
          code: someCode,
          location: '上海转运中心',
          description: '快件已到达',
        },
        rules,
      ),
    );
    expect(fromCsv.eventId).toMatch(/^d1-[0-9a-f]{32}$/);
    expect(fromPush.eventId).toBe(fromCsv.eventId);
    const elsewhere = ok(parseScanEvent({ ...fromPushInput(), location: '杭州转运中心' }, rules));
    expect(elsewhere.eventId).not.toBe(fromCsv.eventId);
    // A given id is kept as it is.
    expect(ok(parseScanEvent({ ...fromPushInput(), event_id: 'mine-1' }, rules)).eventId).toBe('mine-1');
  });

  it('gets its label and site as its description when the remark is empty', () => {
    const label = defaultEventCodes().get(someCode)!.label;
    expect(ok(parseScanEvent({ ...fromPushInput(), description: '' }, rules)).description).toBe(
      `${label}：上海转运中心`,
    );
    expect(
      ok(parseScanEvent({ ...fromPushInput(), description: undefined, location: undefined }, rules))
        .description,
    ).toBe(label);
  });
});

describe('a column feeding two fields', () => {
  it('feeds both, instead of saying the column is missing', () => {
    const plan = planColumns(['运单号', '扫描时间', '扫描类型', '扫描网点'], {
      waybill: '运单号',
      time: '扫描时间',
      code: '扫描类型',
      location: '扫描网点',
      description: '扫描网点',
    });
    if (!plan.ok) throw new Error(plan.error);
    expect(csvRowToEvent(['YT1', '2026/12/01 08:30:00', '揽收', '上海'], plan.fields)).toMatchObject({
      location: '上海',
      description: '上海',
    });
  });
});

function fromPushInput(): Record<string, unknown> {
  return {
    waybill: 'YT1234567890123',
    time: '2026-12-01T00:30:00Z',
    code: someCode,
    location: '上海转运中心',
  };
}
