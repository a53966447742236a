import { describe, expect, it } from 'vitest';
import { EVENT_LIMITS, parseScanEvent, type ParseEventResult, type ScanEvent } from './event.js';
import { STATUS_LABELS } from './status.js';

const SH = { timeZone: 'Asia/Shanghai' };
const NY = { timeZone: 'America/New_York' };

/** The module comment's example line. */
const sample = (): Record<string, unknown> => ({
  waybill: 'YT1234567890123',
  event_id: 'scan-000123',
  time: '2026-07-04T20:47:03+08:00',
  status: 2,
  label: '运输中',
  description: '快件离开【河北永清县】已发往【贵阳】',
  location: '河北永清县',
  eta: '2026-07-08',
  cells: [{ key: 'wxpay', value: '已支付' }],
});

const withField = (field: string, value: unknown): Record<string, unknown> => ({
  ...sample(),
  [field]: value,
});
const without = (field: string): Record<string, unknown> => {
  const o = sample();
  delete o[field];
  return o;
};

function accepted(result: ParseEventResult): ScanEvent {
  if (!result.ok) throw new Error(`expected the event to be accepted, got: ${result.reason}`);
  return result.event;
}

function reason(result: ParseEventResult): string {
  if (result.ok) throw new Error('expected the event to be rejected');
  return result.reason;
}

const parse = (input: unknown, options = SH) => parseScanEvent(input, options);

describe('parseScanEvent', () => {
  it('accepts the example line and maps every field', () => {
    expect(accepted(parse(sample()))).toEqual({
      waybill: 'YT1234567890123',
      eventId: 'scan-000123',
      time: Date.UTC(2026, 6, 4, 12, 47, 3),
      status: 2,
      label: '运输中',
      description: '快件离开【河北永清县】已发往【贵阳】',
      location: '河北永清县',
      eta: '2026-07-08',
      cells: [{ key: 'wxpay', value: '已支付' }],
    });
  });

  it('accepts an event with only the required fields', () => {
    const event = accepted(
      parse({
        waybill: 'YT1',
        event_id: 'e1',
        time: '2026-07-04T20:47:03+08:00',
        status: 1,
        description: '已揽收',
      }),
    );
    expect(event).toEqual({
      waybill: 'YT1',
      eventId: 'e1',
      time: Date.UTC(2026, 6, 4, 12, 47, 3),
      status: 1,
      label: '已揽件',
      description: '已揽收',
      location: undefined,
      eta: undefined,
      cells: undefined,
    });
  });

  describe('required fields', () => {
    it.each(['waybill', 'time', 'status'])('a missing %s is named in the reason', (field) => {
      expect(reason(parse(without(field)))).toMatch(new RegExp(`^${field}: required`));
    });

    it.each(['waybill', 'time', 'status'])('a null %s is named in the reason', (field) => {
      expect(reason(parse(withField(field, null)))).toMatch(new RegExp(`^${field}: required`));
    });

    it.each(['waybill', 'event_id'])('an empty or blank %s counts as missing', (field) => {
      expect(reason(parse(withField(field, '')))).toBe(`${field}: required`);
      expect(reason(parse(withField(field, ' \t\n ')))).toBe(`${field}: required`);
    });

    it.each(['waybill', 'event_id', 'description', 'label', 'location'])(
      'a non-string %s is rejected',
      (field) => {
        expect(reason(parse(withField(field, 42)))).toBe(`${field}: must be a string`);
        expect(reason(parse(withField(field, ['x'])))).toBe(`${field}: must be a string`);
      },
    );

    it('trims text fields', () => {
      const event = accepted(
        parse({
          ...sample(),
          waybill: '  YT1 ',
          event_id: '\te1\n',
          label: ' 运输中 ',
          description: ' 快件已发出 ',
          location: ' 贵阳 ',
        }),
      );
      expect(event).toMatchObject({
        waybill: 'YT1',
        eventId: 'e1',
        label: '运输中',
        description: '快件已发出',
        location: '贵阳',
      });
    });
  });

  describe('waybill', () => {
    it.each(['YT 123', 'YT123号', 'YT\u00a0123'])('must be printable ASCII: rejects %j', (w) => {
      expect(reason(parse(withField('waybill', w)))).toBe('waybill: printable ASCII only');
    });

    it('accepts any printable ASCII', () => {
      expect(accepted(parse(withField('waybill', 'A-1_b.2/~!')))).toMatchObject({ waybill: 'A-1_b.2/~!' });
    });
  });

  describe('time', () => {
    it('honours an explicit offset whatever the zone option', () => {
      expect(accepted(parse(sample(), NY)).time).toBe(Date.UTC(2026, 6, 4, 12, 47, 3));
    });

    it("reads a time without offset in the option's time zone", () => {
      const input = withField('time', '2026-07-04 20:47:03');
      expect(accepted(parse(input, SH)).time).toBe(Date.UTC(2026, 6, 4, 12, 47, 3));
      expect(accepted(parse(input, NY)).time).toBe(Date.UTC(2026, 6, 5, 0, 47, 3));
    });

    it('tolerates surrounding whitespace', () => {
      expect(accepted(parse(withField('time', ' 2026-07-04T20:47:03+08:00\n'))).time).toBe(
        Date.UTC(2026, 6, 4, 12, 47, 3),
      );
    });

    it.each(['2026-02-30T10:00:00+08:00', '2026-13-01T10:00:00', 'yesterday', ''])('rejects %j', (t) => {
      expect(reason(parse(withField('time', t)))).toBe('time: not an ISO 8601 date-time');
    });

    it.each([1783168023000, { iso: '2026-07-04' }, true])('rejects a non-string time %j', (t) => {
      expect(reason(parse(withField('time', t)))).toMatch(/^time: required/);
    });
  });

  describe('status', () => {
    it.each([0, 1, 2, 3, 4, 5, 6])('accepts %i', (s) => {
      expect(accepted(parse(withField('status', s))).status).toBe(s);
    });

    it.each([
      [-1, '-1'],
      [7, '7'],
      [9, '9'],
      [2.5, '2.5'],
      ['2', '"2" (a string)'],
      [NaN, 'NaN'],
      [true, 'true'],
    ])('rejects %j, naming the value and the accepted ones', (s, shown) => {
      expect(reason(parse(withField('status', s)))).toBe(
        `status: ${shown} is not an order status; use an integer from 0 to 6 (0 待揽件, 1 已揽件, 2 运输中, 3 派送中, 4 已签收, 5 签收异常, 6 代签收)`,
      );
    });

    it('says a missing status is required, and that a code may stand in for it', () => {
      expect(reason(parse(withField('status', undefined)))).toMatch(
        /^status: required \(or a carrier scan code in "code"\); use an integer from 0 to 6/,
      );
    });
  });

  describe('label', () => {
    it.each([0, 1, 2, 3, 4, 5, 6] as const)('defaults to the name of status %i', (s) => {
      const input = { ...without('label'), status: s };
      expect(accepted(parse(input)).label).toBe(STATUS_LABELS[s]);
    });

    it('defaults when empty, blank or null', () => {
      for (const label of ['', '   ', null]) {
        expect(accepted(parse({ ...sample(), label, status: 4 })).label).toBe('已签收');
      }
    });

    it('keeps a label the courier sends, even one that differs from the status name', () => {
      expect(accepted(parse({ ...sample(), label: '已到达', status: 2 })).label).toBe('已到达');
    });
  });

  describe('location', () => {
    it('is undefined when missing, null or blank', () => {
      expect(accepted(parse(without('location'))).location).toBeUndefined();
      expect(accepted(parse(withField('location', null))).location).toBeUndefined();
      expect(accepted(parse(withField('location', '  '))).location).toBeUndefined();
    });
  });

  describe('eta', () => {
    it('accepts a real YYYY-MM-DD date', () => {
      expect(accepted(parse(withField('eta', '2028-02-29'))).eta).toBe('2028-02-29');
    });

    it('is undefined when missing or null', () => {
      expect(accepted(parse(without('eta'))).eta).toBeUndefined();
      expect(accepted(parse(withField('eta', null))).eta).toBeUndefined();
    });

    it.each([
      '2026-02-30',
      '2026-02-29',
      '2026-13-01',
      '2026-7-8',
      '2026-07-08T00:00:00Z',
      '2026/07/08',
      '',
      20260708,
    ])('rejects %j', (eta) => {
      expect(reason(parse(withField('eta', eta)))).toBe('eta: must be a YYYY-MM-DD date');
    });
  });

  describe('cells', () => {
    it('keeps key, value and status, and nothing else', () => {
      const cells = [
        { key: 'wxpay', value: '已支付', status: 'pages/index/index', color: 'red' },
        { key: 'order', value: '寄快递' },
      ];
      const event = accepted(parse(withField('cells', cells)));
      expect(event.cells).toEqual([
        { key: 'wxpay', value: '已支付', status: 'pages/index/index' },
        { key: 'order', value: '寄快递' },
      ]);
      expect(Object.keys(event.cells![1]!)).toEqual(['key', 'value']);
    });

    it('are undefined when missing or null; an empty array is kept', () => {
      expect(accepted(parse(without('cells'))).cells).toBeUndefined();
      expect(accepted(parse(withField('cells', null))).cells).toBeUndefined();
      expect(accepted(parse(withField('cells', []))).cells).toEqual([]);
    });

    it.each([{ key: 'k', value: 'v' }, 'wxpay', 1])('must be an array: rejects %j', (cells) => {
      expect(reason(parse(withField('cells', cells)))).toBe('cells: must be an array');
    });

    it('rejects a cell that is not an object', () => {
      expect(reason(parse(withField('cells', ['wxpay'])))).toBe('cells[0]: must be an object');
      expect(reason(parse(withField('cells', [{ key: 'a', value: 'b' }, null])))).toBe(
        'cells[1]: must be an object',
      );
    });

    it('rejects a non-string key, value or status, naming the cell', () => {
      const ok = { key: 'a', value: 'b' };
      expect(reason(parse(withField('cells', [ok, { key: 7, value: 'b' }])))).toBe(
        'cells[1].key: must be a string',
      );
      expect(reason(parse(withField('cells', [ok, { value: 'b' }])))).toBe('cells[1].key: must be a string');
      expect(reason(parse(withField('cells', [{ key: 'a', value: 1 }])))).toBe(
        'cells[0].value: must be a string',
      );
      expect(reason(parse(withField('cells', [{ key: 'a', value: 'b', status: 1 }])))).toBe(
        'cells[0].status: must be a string',
      );
    });

    it('rejects an empty key', () => {
      expect(reason(parse(withField('cells', [{ key: '', value: 'b' }])))).toBe('cells[0].key: empty');
    });

    it('limits a key to 20 code points, counting CJK characters as one each', () => {
      const key20 = '快'.repeat(20);
      expect(accepted(parse(withField('cells', [{ key: key20, value: 'v' }]))).cells![0]!.key).toBe(key20);
      expect(reason(parse(withField('cells', [{ key: key20 + '递', value: 'v' }])))).toBe(
        'cells[0].key: 21 characters, at most 20',
      );
    });

    it('limits a key to 20 code points, counting an astral character (emoji) as one, not two', () => {
      const key20 = '📦'.repeat(20); // 40 UTF-16 code units
      expect(key20.length).toBe(40);
      expect(accepted(parse(withField('cells', [{ key: key20, value: 'v' }]))).cells![0]!.key).toBe(key20);
      expect(reason(parse(withField('cells', [{ key: key20 + '📦', value: 'v' }])))).toBe(
        'cells[0].key: 21 characters, at most 20',
      );
    });

    it('limits a value to 10 code points, with CJK and astral characters', () => {
      for (const ch of ['付', '𠀀', '😀']) {
        const value10 = ch.repeat(10);
        expect(accepted(parse(withField('cells', [{ key: 'k', value: value10 }]))).cells![0]!.value).toBe(
          value10,
        );
        expect(reason(parse(withField('cells', [{ key: 'k', value: value10 + ch }])))).toBe(
          'cells[0].value: 11 characters, at most 10',
        );
      }
    });

    it(`accepts at most EVENT_LIMITS.cells (${EVENT_LIMITS.cells}) cells`, () => {
      const cell = { key: 'k', value: 'v' };
      const max = Array.from({ length: EVENT_LIMITS.cells }, () => cell);
      expect(accepted(parse(withField('cells', max))).cells).toHaveLength(EVENT_LIMITS.cells);
      expect(reason(parse(withField('cells', [...max, cell])))).toBe(
        `cells: ${EVENT_LIMITS.cells + 1} cells, at most ${EVENT_LIMITS.cells}`,
      );
    });

    it(`limits a cell status to EVENT_LIMITS.cellStatus (${EVENT_LIMITS.cellStatus}) characters`, () => {
      const status = 'p'.repeat(EVENT_LIMITS.cellStatus);
      expect(accepted(parse(withField('cells', [{ key: 'k', value: 'v', status }]))).cells![0]!.status).toBe(
        status,
      );
      expect(reason(parse(withField('cells', [{ key: 'k', value: 'v', status: status + 'p' }])))).toBe(
        `cells[0].status: at most ${EVENT_LIMITS.cellStatus} characters`,
      );
    });
  });

  describe('length limits (EVENT_LIMITS)', () => {
    const cases = [
      ['waybill', EVENT_LIMITS.waybill, 'W'],
      ['event_id', EVENT_LIMITS.eventId, 'e'],
      ['label', EVENT_LIMITS.label, '签'],
      ['description', EVENT_LIMITS.description, '快'],
      ['location', EVENT_LIMITS.location, '贵'],
    ] as const;

    it.each(cases)('%s: accepts exactly %i characters', (field, max, ch) => {
      expect(parse(withField(field, ch.repeat(max))).ok).toBe(true);
    });

    it.each(cases)('%s: rejects %i + 1 characters, naming the field and the limit', (field, max, ch) => {
      expect(reason(parse(withField(field, ch.repeat(max + 1))))).toBe(
        `${field}: ${max + 1} characters, at most ${max}`,
      );
    });

    it.each(cases)('%s: measures the length after trimming', (field, max, ch) => {
      expect(parse(withField(field, '  ' + ch.repeat(max) + ' \n')).ok).toBe(true);
    });

    it('has the documented values', () => {
      expect(EVENT_LIMITS).toEqual({
        waybill: 64,
        eventId: 128,
        label: 32,
        description: 512,
        location: 128,
        cells: 8,
        cellStatus: 512,
      });
      expect(Object.isFrozen(EVENT_LIMITS)).toBe(true);
    });
  });

  describe('non-object input', () => {
    it.each([null, undefined, 'waybill', 42, true, [], [sample()]])('rejects %j', (input) => {
      expect(reason(parse(input))).toBe('not a JSON object');
    });
  });

  it('does not modify its input', () => {
    const input = sample();
    const copy = structuredClone(input);
    accepted(parse(input));
    expect(input).toEqual(copy);
  });
});

describe('text no store or reply can hold', () => {
  const textFields = ['waybill', 'event_id', 'label', 'description', 'location'] as const;
  const bad: readonly [string, string][] = [
    ['NUL', 'a\u0000b'],
    ['a C0 control', 'a\u0001b'],
    ['ESC', 'a\u001bb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['a lone high surrogate', 'x\ud800y'],
    ['a lone low surrogate', 'x\udc00y'],
    ['a high surrogate at the end', 'xy\ud83d'],
    ['two high surrogates', '\ud83d\ud83d\ude00'],
  ];
  for (const field of textFields) {
    for (const [what, value] of bad) {
      it(`refuses ${what} in ${field}, naming the field and the character`, () => {
        const r = reason(parse(withField(field, value)));
        expect(r.startsWith(`${field}: `)).toBe(true);
        expect(r).toMatch(/(control character|unpaired surrogate) U\+[0-9A-F]{4} at position \d+/);
      });
    }
  }

  it('names the position and code of the first bad character', () => {
    expect(reason(parse(withField('description', 'ab\u0000')))).toBe(
      'description: control character U+0000 at position 2',
    );
    expect(reason(parse(withField('event_id', 'x\ud800y')))).toBe(
      'event_id: unpaired surrogate U+D800 at position 1',
    );
  });

  it('lets a description hold tabs and line breaks, and no other field', () => {
    expect(accepted(parse(withField('description', 'line one\nline\ttwo\r\nthree'))).description).toBe(
      'line one\nline\ttwo\r\nthree',
    );
    expect(reason(parse(withField('location', 'a\nb')))).toBe(
      'location: control character U+000A at position 1',
    );
    expect(reason(parse(withField('label', 'a\tb')))).toBe('label: control character U+0009 at position 1');
  });

  it('accepts paired surrogates (emoji) and every other printable character', () => {
    expect(accepted(parse(withField('description', '已签收 😀 \u00a0 \u2028 ok'))).description).toBe(
      '已签收 😀 \u00a0 \u2028 ok',
    );
  });

  it('refuses bad text in a cell key, value or status', () => {
    const cells = (cell: Record<string, unknown>) => withField('cells', [cell]);
    expect(reason(parse(cells({ key: 'wx\u0000', value: 'v' })))).toBe(
      'cells[0].key: control character U+0000 at position 2',
    );
    expect(reason(parse(cells({ key: 'k', value: '\ud800' })))).toBe(
      'cells[0].value: unpaired surrogate U+D800 at position 0',
    );
    expect(reason(parse(cells({ key: 'k', value: 'v', status: 'a\u0007' })))).toBe(
      'cells[0].status: control character U+0007 at position 1',
    );
  });

  it('refuses bad text in a carrier code', () => {
    const o = without('status');
    o.code = 'A\u0000';
    expect(reason(parse(o))).toBe('code: control character U+0000 at position 1');
  });
});
