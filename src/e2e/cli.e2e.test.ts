/**
 * End to end: the real CLI as a child process (`import`, then `serve`), queried over TCP, the
 * reply read exactly as WeChat's client reads it. Runs against dist/ (`npm test` builds first).
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { BIN, spawnServe } from '../testing/serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-e2e-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** WeChat's client: strip `^WxOrderCb\(` and `\)\s*$`, then JSON.parse what is left. */
const wechatParse = (body: string) =>
  JSON.parse(body.replace(/^WxOrderCb\(/, '').replace(/\)\s*$/, '')) as Record<string, unknown>;

describe('wxtrack CLI, end to end', () => {
  it('imports events, serves them over TCP, and stops cleanly on SIGTERM', async () => {
    const db = join(dir, 'e2e.db');
    const file = join(dir, 'events.ndjson');
    const events = [
      {
        waybill: 'YT1234567890123',
        event_id: 's1',
        time: '2026-07-04T20:47:03+08:00',
        status: 1,
        description: '已揽收',
        location: '河北永清县',
      },
      {
        waybill: 'YT1234567890123',
        event_id: 's2',
        time: '2026-07-04T21:44:38+08:00',
        status: 2,
        description: '快件离开 【河北永清县】 已发往 【贵阳】',
        location: '河北永清县',
        eta: '2099-07-08',
        cells: [{ key: 'order', value: '寄快递' }],
      },
    ];
    writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');

    // The README's order: init creates the database, which import and serve then require.
    const init = spawnSync(
      process.execPath,
      [BIN, 'init', '--db', db, '--config', join(dir, 'wxtrack.config.json')],
      {
        encoding: 'utf8',
      },
    );
    expect(init.status, init.stderr).toBe(0);
    const imported = spawnSync(process.execPath, [BIN, 'import', file, '--db', db], { encoding: 'utf8' });
    expect(imported.stdout).toBe('read 2, inserted 2, duplicates 0, rejected 0\n');
    expect(imported.status).toBe(0);

    const token = 'e2etoken42';
    const { child, origin, lines } = await spawnServe([
      '--db',
      db,
      '--token',
      token,
      '--port',
      '0',
      '--waybill-pattern',
      'YT\\d{13}',
    ]);
    children.push(child);
    const url = signedQueryUrl({
      url: origin + '/wechat/track',
      token,
      orderid: 'YT1234567890123',
      openid: 'oE2eUser',
      timestamp: String(Math.floor(Date.now() / 1000)),
      nonce: '13578',
    });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(wechatParse(await res.text())).toEqual({
      err_code: 0,
      err_msg: 'ok',
      order_status: 2,
      estimated_delivery_time: '2099-07-08',
      traces: [
        { accept_time: '2026-07-04 20:47:03', accept_address: '已揽件\n已揽收', remark: '河北永清县' },
        {
          accept_time: '2026-07-04 21:44:38',
          accept_address: '运输中\n快件离开 【河北永清县】 已发往 【贵阳】',
          remark: '河北永清县',
        },
      ],
      cells: [{ key: 'order', value: '寄快递' }],
    });

    const bad = await fetch(url.replace('orderid=YT1234567890123', 'orderid=YT1234567890124'));
    expect(wechatParse(await bad.text())).toEqual({
      err_code: 40003,
      err_msg: 'signature replayed for another orderid/openid',
    });

    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.map((l) => l.msg)).toContain('stopped');
    expect(JSON.stringify(lines)).not.toContain(token);
  });

  it('refuses to serve without a token, with a clear message', () => {
    const r = spawnSync(process.execPath, [BIN, 'serve', '--db', join(dir, 'x.db')], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
    });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('token: required');
  });
});
