/**
 * `npx wxtrack demo`: the real command serves every demo parcel through its own curl lines.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/wxtrack.js', import.meta.url).pathname;

describe('wxtrack demo', () => {
  it('serves one parcel per order_status through the curl lines it prints', async () => {
    const child = spawn(process.execPath, [BIN, 'demo', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const urls: string[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('demo printed no curl lines')), 15_000);
        child.once('exit', (code) => reject(new Error(`demo exited ${code}`)));
        createInterface({ input: child.stdout }).on('line', (line) => {
          const m = /^curl -s '(.+)'$/.exec(line);
          if (m) urls.push(m[1]!);
          if (line.startsWith('Ctrl-C')) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      expect(urls.length).toBeGreaterThanOrEqual(7);
      const statuses: number[] = [];
      for (const url of urls) {
        const body = await (await fetch(url)).text();
        const info = JSON.parse(body.replace(/^WxOrderCb\(/, '').replace(/\)\s*$/, '')) as Record<
          string,
          unknown
        >;
        expect(info.err_code).toBe(0);
        expect((info.traces as unknown[]).length).toBeGreaterThan(0);
        expect((info.cells as unknown[]).length).toBeGreaterThan(0);
        const status = info.order_status as number;
        statuses.push(status);
        // An ETA is shown exactly while the parcel is not signed for.
        expect('estimated_delivery_time' in info).toBe(status !== 4 && status !== 6);
      }
      expect([...new Set(statuses)].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
      const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
