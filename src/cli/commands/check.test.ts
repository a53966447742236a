import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  IN_TRANSIT,
  REFERENCE_TOKEN,
  referenceServer,
  SIGNED,
} from '../../conformance/testing/reference-server.js';
import { main } from '../main.js';

const run = async (args: string[]) => {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
};
const dir = mkdtempSync(join(tmpdir(), 'wxtrack-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('wxtrack check', () => {
  it('exits 0 with a passing report, writes Markdown and JSON', async () => {
    // The CLI stamps real time; the server judges by it too.
    const server = await referenceServer('none', () => Date.now());
    try {
      const file = join(dir, 'report.md');
      const args = [
        'check',
        server.url,
        '--token',
        REFERENCE_TOKEN,
        '--orderid',
        IN_TRANSIT,
        '--orderid',
        SIGNED,
      ];
      const load = ['--connections', '1', '--seconds', '1', '--max-requests', '10', '--p99-budget', '60000'];
      const text = await run([...args, ...load, '--report', file]);
      expect(text.code, text.out + text.err).toBe(0);
      expect(text.out).toContain('Ready for review. 可提交审核。');
      expect(readFileSync(file, 'utf8')).toContain('**PASS 通过**');
      const json = await run([...args, '--no-load', '--json']);
      expect(json.code).toBe(0);
      const report = JSON.parse(json.out) as { passed: boolean; load?: unknown; results: unknown[] };
      expect(report).toMatchObject({ passed: true });
      expect(report.load).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('exits 1 when a check fails, naming it', async () => {
    const server = await referenceServer('time-format', () => Date.now());
    try {
      const r = await run([
        'check',
        server.url,
        '--token',
        REFERENCE_TOKEN,
        '--orderid',
        IN_TRANSIT,
        '--no-load',
        '--json',
      ]);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.out) as { results: { id: string; outcome: string }[] };
      expect(report.results.filter((x) => x.outcome === 'fail').map((x) => x.id)).toEqual(['accept-time']);
    } finally {
      await server.close();
    }
  });

  it('takes the token and company_id from a configuration file', async () => {
    const server = await referenceServer('none', () => Date.now());
    try {
      const file = join(dir, 'wxtrack.config.json');
      const carrier = { name: '参考', tokens: [REFERENCE_TOKEN], waybillPattern: 'RF\\d{10}' };
      writeFileSync(
        file,
        JSON.stringify({
          carriers: [
            { id: 'A', ...carrier, tokens: ['other-token'] },
            { id: 'RF', ...carrier },
          ],
        }),
      );
      const args = ['check', server.url, '--config', file, '--orderid', IN_TRANSIT, '--no-load', '--json'];
      expect((await run([...args, '--carrier', 'RF'])).code).toBe(0);
      // Two carriers and no --carrier: refused, never the first one silently.
      expect((await run(args)).code).toBe(2);
      expect((await run([...args, '--carrier', 'nope'])).code).toBe(2);
    } finally {
      await server.close();
    }
  });

  it('exits 2 on usage errors', async () => {
    expect((await run(['check', '--token', 't', '--orderid', 'x'])).code).toBe(2);
    expect((await run(['check', 'ftp://x/', '--token', 't', '--orderid', 'x'])).code).toBe(2);
    expect((await run(['check', 'http://127.0.0.1:9/', '--orderid', 'x'])).code).toBe(2);
    expect((await run(['check', 'http://127.0.0.1:9/', '--token', 't'])).code).toBe(2);
    expect(
      (await run(['check', 'http://127.0.0.1:9/', '--token', 't', '--orderid', 'x', '--seconds', '0'])).code,
    ).toBe(2);
  });
});
