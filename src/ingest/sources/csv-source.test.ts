import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { planColumns } from './csv-columns.js';
import { csvRecords, CsvHeaderError } from './csv-source.js';
import { decodeText, type SourceRecord } from './source.js';

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

  it('stops on an unclosed quote, saying where', async () => {
    const csv = Buffer.from(
      'waybill,event_id,time,status,description\nYT1,e1,2026-07-04,2,ok\nYT1,e2,2026-07-04,2,"open\n',
    );
    await expect(records(csv)).rejects.toThrow('CSV line 3: a quoted field is never closed');
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
    // The same bytes read as UTF-8 are garbage: the encoding flag is what makes it work.
    await expect(records(gbk, map)).rejects.toThrow(CsvHeaderError);
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
      /lacks waybill, event_id, description, status or code; header is: 运单号, time/,
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
