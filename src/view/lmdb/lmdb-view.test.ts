import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replyViewContract } from '../reply-view.case.test.js';
import { LmdbReplyView } from './lmdb-view.js';

replyViewContract('lmdb', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wxtrack-view-'));
  const path = join(dir, 'view.mdb');
  const view = new LmdbReplyView({ path });
  return Promise.resolve({
    view,
    reopen: () => new LmdbReplyView({ path }),
    dispose: async () => {
      await view.close();
      rmSync(dir, { recursive: true, force: true });
    },
  });
});

describe('LmdbReplyView', () => {
  it('keeps its contents across a restart, and discards a file written under another boot', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wxtrack-view-'));
    const path = join(dir, 'view.mdb');
    try {
      const first = new LmdbReplyView({ path });
      await first.fill(0, [{ carrier: 'yt', waybill: 'A', value: Buffer.from('a') }]);
      await first.advance(3, []);
      await first.close();

      const second = new LmdbReplyView({ path });
      expect(second.get('yt', 'A')?.toString()).toBe('a');
      expect(second.position()).toBe(3);
      await second.close();

      if (!existsSync('/proc/sys/kernel/random/boot_id')) return;
      writeFileSync(path + '-boot', 'another-boot\n');
      const third = new LmdbReplyView({ path });
      expect(third.get('yt', 'A')).toBeUndefined();
      expect(third.position()).toBe(0);
      await third.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
