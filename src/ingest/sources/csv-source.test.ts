import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { planColumns } from './csv-columns.js';
import { csvRecords } from './csv-source.js';
import { decodeText, EncodingError, type SourceRecord } from './source.js';

async function* bytes(...chunks: Buffer[]): AsyncGenerator<Buffer> {
  for (const c of chunks) yield c;
}

async function records(buf: Buffer | Buffer[], map: Record<string, string> = {}, encoding = 'utf8') {
  const out: SourceRecord[] = [];
  const counter = { bytes: 0 };
  for await (const chunk of csvRecords(
    decodeText(bytes(...(Array.isArray(buf) ? buf : [buf])), encoding, counter),
    map,
  )) {
    out.push(...chunk);
  }
  return { out, counter };
}

const values = (rs: SourceRecord[]) => rs.map((r) => ('value' in r.item ? r.item.value : r.item));

describe('CSV records', () => {
  it('reads quoted cells with commas, doubled quotes and newlines', async () => {
    const csv =
      'waybill,event_id,time,status,description\r\n' +
      'YT1,e1,2026-07-04 20:47:03,2,"到达, ""华北"" 操作部"\r\n' +
      'YT1,e2,2026-07-04 21:00:00,3,"第一行\n第二行"\r\n';
    const { out } = await records(Buffer.from(csv));
    expect(values(out)).toEqual([
      {
        waybill: 'YT1',
        event_id: 'e1',
        time: '2026-07-04 20:47:03',
        status: 2,
        description: '到达, "华北" 操作部',
      },
      {
        waybill: 'YT1',
        event_id: 'e2',
        time: '2026-07-04 21:00:00',
        status: 3,
        description: '第一行\n第二行',
      },
    ]);
    expect(out.map((r) => r.line)).toEqual([2, 4]);
  });

  it('gives the same records whatever the chunking, even inside quoted newlines', async () => {
    const csv = Buffer.from(
      'waybill,event_id,time,status,description\nYT1,e1,2026-07-04,2,"a ""q"", b\nc"\nYT1,e2,2026-07-04,3,"x\ny\nz"\nYT1,e3,2026-07-04,4,plain',
    );
    const whole = await records(csv);
    const bytewise = await records(Array.from({ length: csv.length }, (_, i) => csv.subarray(i, i + 1)));
    expect(values(bytewise.out)).toEqual(values(whole.out));
    expect(bytewise.out.map((r) => r.line)).toEqual([3, 6, 7]);
    expect(values(whole.out).map((v) => (v as { description: string }).description)).toEqual([
      'a "q", b\nc',
      'x\ny\nz',
      'plain',
    ]);
  });

  it('an unclosed quote costs only its line: the records after it are read', async () => {
    const csv = Buffer.from(
      'waybill,event_id,time,status,description\n' +
        'YT1,e1,2026-07-04,2,ok\n' +
        'YT1,e2,2026-07-04,2,"open\n' +
        'YT1,e3,2026-07-04,2,after\n' +
        'YT1,e4,2026-07-04,2,"quoted, fine"\n',
    );
    const { out } = await records(csv);
    expect(
      out.map((r) => [
        r.line,
        'value' in r.item ? (r.item.value as { event_id: string }).event_id : r.item.undecodable,
      ]),
    ).toEqual([
      [2, 'e1'],
      [3, expect.stringMatching(/^CSV: .*; the line is skipped$/)],
      [4, 'e3'],
      [5, 'e4'],
    ]);
  });

  it('text after a closing quote costs only that record, even when a later quote seems to close it', async () => {
    const csv = Buffer.from(
      'waybill,event_id,time,status,description\n' +
        'YT1,e1,2026-07-04,2,"bad"x\n' +
        'YT1,e2,2026-07-04,2,"stray\n' +
        'YT1,e3,2026-07-04,2,"good"\n',
    );
    const { out } = await records(csv);
    expect(
      out.map((r) => ('value' in r.item ? (r.item.value as { event_id: string }).event_id : r.line)),
    ).toEqual([2, 3, 'e3']);
  });

  it('reads Excel-style slashed date-times as ISO 8601, leaving the ISO forms as they are', async () => {
    const csv = Buffer.from(
      'waybill,event_id,time,status,description\nYT1,e1,2026/11/30 10:00:00,2,a\nYT1,e2,2026/1/5 9:03,2,b\nYT1,e3,2026-07-04 20:47:03,2,c\n',
    );
    const { out } = await records(csv);
    expect(values(out).map((v) => (v as { time: string }).time)).toEqual([
      '2026-11-30T10:00:00',
      '2026-01-05T09:03:00',
      '2026-07-04 20:47:03',
    ]);
  });

  it('says a GBK file read as UTF-8 looks like GBK, before reading anything', async () => {
    const iconv = (await import('iconv-lite')).default;
    const gbk = iconv.encode('运单号,流水号,时间,状态,描述\nYT1,e1,2026-07-04,2,到达\n', 'gbk');
    await expect(records(gbk)).rejects.toThrow(
      'the input is not UTF-8; it looks like GBK (an export from Chinese Windows): add --encoding gbk',
    );
  });

  it('skips blank lines and still numbers records by the line they end on', async () => {
    const csv =
      'waybill,event_id,time,status,description\n\nYT1,e1,2026-07-04,1,"a\nb"\n  \nYT1,e2,2026-07-04,1,c\n';
    const { out } = await records(Buffer.from(csv));
    expect(out.map((r) => r.line)).toEqual([4, 6]);
  });

  it('skips a UTF-8 BOM, even split across chunks', async () => {
    const csv = Buffer.from('\uFEFFwaybill,event_id,time,status,description\nYT1,e1,2026-07-04,1,揽收\n');
    const { out, counter } = await records([csv.subarray(0, 2), csv.subarray(2, 40), csv.subarray(40)]);
    expect(values(out)).toEqual([
      { waybill: 'YT1', event_id: 'e1', time: '2026-07-04', status: 1, description: '揽收' },
    ]);
    expect(counter.bytes).toBe(csv.length);
  });

  it('decodes GBK with --encoding gbk, including characters split across chunks', async () => {
    const gbk = iconv.encode(
      '运单号,事件编号,扫描时间,扫描类型,描述\nYT1,e1,2026-07-04 20:47:03,到件,快件已经到达【贵阳】\n',
      'gbk',
    );
    const map = {
      waybill: '运单号',
      event_id: '事件编号',
      time: '扫描时间',
      code: '扫描类型',
      description: '描述',
    };
    const { out } = await records([gbk.subarray(0, 5), gbk.subarray(5)], map, 'gbk');
    expect(values(out)).toEqual([
      {
        waybill: 'YT1',
        event_id: 'e1',
        time: '2026-07-04 20:47:03',
        code: '到件',
        description: '快件已经到达【贵阳】',
      },
    ]);
    // The same bytes read as UTF-8 are refused before anything is read, naming the likely encoding.
    await expect(records(gbk, map)).rejects.toThrow(EncodingError);
  });

  it('maps columns by name, ignores unmapped columns and leaves empty cells out', async () => {
    const csv =
      '单号,id,时间,状态,备注,描述,网点,cells\nYT1,e1,2026-07-04,2,ignored,d,,"[{""key"":""k"",""value"":""v""}]"\n';
    const map = {
      waybill: '单号',
      event_id: 'id',
      time: '时间',
      status: '状态',
      description: '描述',
      location: '网点',
    };
    const { out } = await records(Buffer.from(csv), map);
    expect(values(out)).toEqual([
      {
        waybill: 'YT1',
        event_id: 'e1',
        time: '2026-07-04',
        status: 2,
        description: 'd',
        cells: [{ key: 'k', value: 'v' }],
      },
    ]);
  });

  it('refuses a header without the required fields, naming them and the header', async () => {
    await expect(records(Buffer.from('运单号,time\nYT1,x\n'))).rejects.toThrow(
      /lacks waybill, status or code; header is: 运单号, time/,
    );
  });
});

describe('planColumns', () => {
  it('refuses a map naming an unknown field', () => {
    expect(planColumns(['a'], { weight: 'a' })).toMatchObject({
      ok: false,
      error: expect.stringContaining('weight'),
    });
  });
  it('accepts code instead of status', () => {
    expect(planColumns(['waybill', 'event_id', 'time', 'code', 'description'], {}).ok).toBe(true);
  });
});
