/**
 * @module
 * A courier's Excel export, written here with exceljs as a back office would write it: Chinese
 * column names, a real date cell, a text date in Excel's slashed form, a blank row. Imported
 * through the real CLI, its times are read in the carrier's zone.
 */
import ExcelJS from 'exceljs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../clock/clock.js';
import { main } from '../../cli/main.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { xlsxRecords } from './xlsx-source.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-xlsx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function writeExport(path: string): Promise<void> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('扫描记录');
  sheet.addRow(['运单号', '扫描流水号', '扫描时间', '扫描类型', '描述']);
  // exceljs takes a Date's UTC fields as the cell's wall-clock time, as Excel stores it.
  sheet.addRow(['YT1234567890123', 's1', new Date(Date.UTC(2026, 10, 30, 10, 0, 0)), '揽收', '已揽收']);
  sheet.getCell('C2').numFmt = 'yyyy-mm-dd hh:mm:ss';
  sheet.addRow([]);
  sheet.addRow(['YT1234567890123', 's2', '2026/11/30 18:30:00', '派件', '派送中']);
  sheet.addRow(['YT1234567890123', 's3', 46357.25, '签收', '已签收']); // a bare serial: 2026-12-01 06:00
  await book.xlsx.writeFile(path);
}

const MAP = {
  waybill: '运单号',
  event_id: '扫描流水号',
  time: '扫描时间',
  code: '扫描类型',
  description: '描述',
};

describe('.xlsx exports', () => {
  it('reads the first sheet: header, date cells and serials as ISO 8601, rows numbered as in Excel', async () => {
    const file = join(dir, 'export.xlsx');
    await writeExport(file);
    const out = [];
    for await (const batch of xlsxRecords(file, MAP)) out.push(...batch);
    expect(
      out.map((r) => [r.line, 'value' in r.item ? (r.item.value as { time: string }).time : r.item]),
    ).toEqual([
      [2, '2026-11-30T10:00:00'],
      [4, '2026-11-30T18:30:00'],
      [5, '2026-12-01T06:00:00'],
    ]);
  });

  it("imports through the CLI, times read in the carrier's zone", async () => {
    const file = join(dir, 'cli.xlsx');
    await writeExport(file);
    const db = join(dir, 'x.db');
    let err = '';
    const code = await main(
      [
        'import',
        file,
        '--db',
        db,
        '--create',
        '--quiet',
        '--map',
        Object.entries(MAP)
          .map(([f, c]) => `${f}=${c}`)
          .join(','),
      ],
      { out: () => undefined, err: (t) => void (err += t) },
    );
    expect(err).toBe('');
    expect(code).toBe(0);
    const store = new SqliteStore({
      path: db,
      clock: systemClock,
    });
    const rec = await store.readWaybill('default', 'YT1234567890123');
    await store.close();
    expect(rec!.events.map((e) => [e.eventId, new Date(e.time).toISOString(), e.status])).toEqual([
      ['s1', '2026-11-30T02:00:00.000Z', 1],
      ['s2', '2026-11-30T10:30:00.000Z', 3],
      ['s3', '2026-11-30T22:00:00.000Z', 4],
    ]);
  });

  it('says so when a sheet header lacks a field', async () => {
    const file = join(dir, 'bad.xlsx');
    const book = new ExcelJS.Workbook();
    book.addWorksheet('s').addRow(['运单号', '时间']);
    await book.xlsx.writeFile(file);
    await expect(async () => {
      for await (const _ of xlsxRecords(file, { waybill: '运单号', time: '时间' })) void _;
    }).rejects.toThrow(/^sheet header lacks event_id, description, status or code/);
  });
});
