/**
 * @module
 * End to end: the real `wxtrack serve` process warns when a secret comes from a flag (visible in
 * `ps`), not when it comes from the environment; logs ISO 8601 times; serves metrics on its own
 * loopback port; and drops a slow client over a real socket at its configured request timeout.
 * Runs the built CLI (`npm test` builds dist/ first).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { exchange } from '../testing/raw-http.js';
import { spawnServe } from '../testing/serve-process.js';

const dir = mkdtempSync(join(tmpdir(), 'wxtrack-hardening-'));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV = { ...process.env, WXTRACK_CONFIG: '', WXTRACK_PORT: '', WXTRACK_TOKEN: '', WXTRACK_DB: '' };
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('wxtrack serve: hardening', () => {
  it('warns about --token on the command line, logs ISO times, serves metrics on loopback', async () => {
    const serve = await spawnServe(
      [
        '--token',
        'secret-flag-token',
        '--db',
        join(dir, 'a.db'),
        '--create',
        '--port',
        '0',
        '--metrics-port',
        '0',
      ],
      ENV,
    );
    children.push(serve.child);
    const warning = await serve.logged('secret on the command line');
    expect(String(warning.warning)).toMatch(/--token.*WXTRACK_TOKEN/);
    expect(JSON.stringify(serve.lines)).not.toContain('secret-flag-token');
    expect(String(warning.time)).toMatch(ISO);
    const listening = await serve.logged('wxtrack listening');
    expect(String(listening.metrics)).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const metrics = await fetch(`${String(listening.metrics)}/metrics`);
    expect(await metrics.text()).toMatch(/^wxtrack_queries_total|# HELP wxtrack_queries_total/m);
  });

  it('is silent when the token comes from the environment, and drops a slow head', async () => {
    const serve = await spawnServe(
      ['--db', join(dir, 'b.db'), '--create', '--port', '0', '--request-timeout', '1'],
      {
        ...ENV,
        WXTRACK_TOKEN: 'env-token',
      },
    );
    children.push(serve.child);
    const port = Number(new URL(serve.origin).port);
    const r = await exchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 8000);
    expect(r.closedByServer).toBe(true);
    expect(r.status).toBe(408);
    expect(serve.lines.some((l) => l.msg === 'secret on the command line')).toBe(false);
  });
});
