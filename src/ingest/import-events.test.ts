import { describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { importEventLines, importRecords } from './import-events.js';
import { ndjsonRecords } from './sources/ndjson-source.js';

const store = () =>
  new SqliteStore({
    path: ':memory:',
    clock: new ManualClock(0),
  });
const line = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    waybill: 'YT1',
    event_id: 'e1',
    time: '2026-07-04T20:47:03+08:00',
    status: 2,
    description: 'd',
    ...over,
  });
const opts = { carrier: 'yto', timeZone: 'Asia/Shanghai' };

describe('importEventLines', () => {
  it('applies the push rules: duplicates, conflicts, codes, bad lines by number', async () => {
    const s = store();
    const rejects: [number, string, string][] = [];
    const summary = await importEventLines(
      [
        line(),
        '',
        line(), // duplicate within the file
        line({ description: 'other' }), // conflict
        '{broken',
        line({ event_id: 'e2', status: undefined, code: '签收' }),
        line({ event_id: 'e3', status: undefined, code: 'NOPE' }),
      ],
      s,
      { ...opts, batchSize: 2, onReject: (n, reason, code) => rejects.push([n, code, reason]) },
    );
    expect(summary).toEqual({ read: 6, inserted: 2, duplicates: 1, rejected: 3, conflicts: 1, warnings: 0 });
    expect(rejects).toEqual([
      [4, 'conflict', 'event_id already stored with other content; the stored version is kept'],
      [5, 'invalid_json', 'not valid JSON'],
      [7, 'unknown_code', 'code: unknown event code "NOPE"'],
    ]);
    const rec = await s.readWaybill('yto', 'YT1');
    expect(rec!.events.map((e) => [e.eventId, e.description, e.status])).toEqual([
      ['e1', 'd', 2],
      ['e2', 'd', 4],
    ]);
  });

  it('resumes: a second run over the same lines inserts only what is missing', async () => {
    const s = store();
    const all = Array.from({ length: 50 }, (_, i) => line({ event_id: `e${i}`, waybill: `W${i % 7}` }));
    await importEventLines(all.slice(0, 23), s, opts);
    expect(await importEventLines(all, s, { ...opts, batchSize: 8 })).toEqual({
      read: 50,
      inserted: 27,
      duplicates: 23,
      rejected: 0,
      conflicts: 0,
      warnings: 0,
    });
  });

  it('reports progress after each batch', async () => {
    const seen: number[] = [];
    await importEventLines(
      Array.from({ length: 5 }, (_, i) => line({ event_id: `e${i}` })),
      store(),
      { ...opts, batchSize: 2, onProgress: (s) => seen.push(s.read) },
    );
    expect(seen).toEqual([2, 4, 5]);
  });
});

describe('ndjsonRecords', () => {
  it('splits lines across chunk boundaries, numbers them, and handles CRLF and a last line without newline', async () => {
    async function* chunks() {
      yield '{"a":1}\r\n{"a"';
      yield ':2}\n\n{"a":3}';
    }
    const out = [];
    for await (const c of ndjsonRecords(chunks())) out.push(...c);
    expect(out).toEqual([
      { line: 1, item: { value: { a: 1 } } },
      { line: 2, item: { value: { a: 2 } } },
      { line: 4, item: { value: { a: 3 } } },
    ]);
  });

  it('feeds importRecords', async () => {
    async function* text() {
      yield line() + '\n';
    }
    expect((await importRecords(ndjsonRecords(text()), store(), opts)).inserted).toBe(1);
  });
});
