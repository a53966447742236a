import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../clock/clock.js';
import { event } from '../store/store.case.test.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { cli } from '../testing/cli-run.js';
import { storedStatusWarnings } from './stored-cell-status.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-cell-status-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const YTO = { id: 'YTO', cells: [{ key: 'wxpay', name: '支付运单', link: 'pages/pay/index' }] };

async function stored(path: string) {
  const store = new SqliteStore({ path, create: true, clock: new ManualClock(0) });
  await store.append('YTO', [
    event({
      eventId: 'a',
      waybill: 'YT0000000000001',
      cells: [{ key: 'wxpay', value: '去支付', status: 'pages/pay/index' }],
    }),
    event({
      eventId: 'b',
      waybill: 'YT0000000000002',
      cells: [{ key: 'wxpay', value: '去支付', status: 'state=unpaid' }],
    }),
  ]);
  // Through the waybill API's attributes, which win over the events' cells.
  await store.setAttributes('YTO', 'YT0000000000003', {
    cells: [{ key: 'wxpay', value: '去支付', status: '/pages/pay/index?from=wx' }],
  });
  return store;
}

describe('stored cells whose status repeats the registered link', () => {
  it('are counted per carrier, with an example, within the sample read', async () => {
    const store = await stored(':memory:');
    expect(await storedStatusWarnings(store, [YTO, { id: 'JT', cells: [] }])).toEqual([
      'carrier YTO: 2 of the 3 waybills read have a cell whose status repeats its registered link ' +
        '(e.g. YT0000000000001, cell "wxpay", status "pages/pay/index"); status is a URL parameter ' +
        'appended to that link, e.g. state=unpaid',
    ]);
    // A sample of one waybill reads only the first.
    expect((await storedStatusWarnings(store, [YTO], 1))[0]).toContain('1 of the 1 waybills read');
    // Without registered links there is nothing to repeat.
    expect(await storedStatusWarnings(store, [{ id: 'YTO' }])).toEqual([]);
    await store.close();
  });

  it('are named by config check', async () => {
    const db = join(dir, 'check.db');
    await (await stored(db)).close();
    const config = join(dir, 'check.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        server: { db },
        carriers: [{ ...YTO, name: '圆通速递', tokens: ['yto-inline-token'], waybillPattern: 'YT\\d{13}' }],
      }),
    );
    const r = await cli('config', 'check', config);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(
      'warning: carrier YTO: 2 of the 3 waybills read have a cell whose status repeats',
    );
  });
});
