/**
 * End to end: the real `wxtrack serve --config` process, a real SIGHUP. The reload logic itself
 * is tested in-process (http/carriers.test.ts); this checks the wiring: the signal reaches it, a
 * good file takes effect, a bad one is refused and logged while the old carriers keep serving.
 * Runs the built CLI (`npm test` builds dist/ first).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJsonpBody } from '../protocol/jsonp.js';
import { signedQueryUrl } from '../protocol/signed-url.js';
import { spawnServe } from '../testing/serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-reload-'));
const configPath = join(dir, 'wxtrack.config.json');
const tokenFile = join(dir, 'yto.token');
const writeConfig = (waybillPattern: string) =>
  writeFileSync(
    configPath,
    JSON.stringify({
      server: { db: join(dir, 'w.db'), port: 0, logLevel: 'info' },
      carriers: [{ id: 'YTO', name: '圆通速递', tokens: [{ file: tokenFile }], waybillPattern }],
    }),
  );

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('wxtrack serve: SIGHUP', () => {
  it('reloads a good configuration, and refuses a bad one while the old keeps serving', async () => {
    writeFileSync(tokenFile, 'token-one\n');
    writeConfig('YT\\d{13}');
    const serve = await spawnServe(['--config', configPath, '--create'], {
      ...process.env,
      WXTRACK_CONFIG: '',
      WXTRACK_PORT: '',
      WXTRACK_DB: '',
    });
    child = serve.child;
    const { origin, logged } = serve;
    const query = async (token: string) => {
      const url = signedQueryUrl({
        url: origin + '/wechat/track',
        token,
        orderid: 'YT1234567890123',
        openid: 'oE2eUser',
        timestamp: String(Math.floor(Date.now() / 1000)),
        nonce: String(Math.floor(Math.random() * 1e9)),
      });
      const res = await fetch(url);
      return (parseJsonpBody(await res.text()) as { err_code: number }).err_code;
    };
    expect(await query('token-one')).toBe(40401);

    // Rotate: the new token first, then SIGHUP.
    writeFileSync(tokenFile, 'token-two\n');
    child.kill('SIGHUP');
    await logged('configuration reloaded');
    expect(await query('token-two')).toBe(40401);
    expect(await query('token-one')).toBe(40001);

    // A catastrophic pattern: refused, logged with the path, and token-two keeps working.
    writeConfig('(a+)+');
    child.kill('SIGHUP');
    const refused = await logged('configuration reload refused; the previous configuration keeps serving');
    expect(refused.errors).toEqual([expect.stringMatching(/^carriers\[0\]\.waybillPattern: can backtrack/)]);
    expect(await query('token-two')).toBe(40401);

    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child!.once('exit', resolve));
    expect(code).toBe(0);
  });
});
